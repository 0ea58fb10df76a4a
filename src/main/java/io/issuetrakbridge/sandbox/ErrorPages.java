package io.issuetrakbridge.sandbox;

/**
 * The HTML pages a Windows server answers with when the answer does not come from Web API's JSON handling: IIS's
 * own 404 for a path no application serves, its 403 when it refuses the client, and the generic error page of IIS or ASP.NET for a 5xx. Written for
 * the sandbox in their shape (doctype, title, a header, a fieldset with the status and a sentence), large enough
 * (over 1 KB, as the real ones are) that a client quoting a body whole would be noticed.
 */
final class ErrorPages {

    private static final String STYLE = """
            <style type="text/css">
            <!--
            body{margin:0;font-size:.7em;font-family:Verdana, Arial, Helvetica, sans-serif;background:#EEEEEE;}
            fieldset{padding:0 15px 10px 15px;}
            h1{font-size:2.4em;margin:0;color:#FFF;}
            h2{font-size:1.7em;margin:0;color:#CC0000;}
            h3{font-size:1.2em;margin:10px 0 0 0;color:#000000;}
            #header{width:96%;margin:0 0 0 0;padding:6px 2% 6px 2%;font-family:"trebuchet MS", Verdana, sans-serif;
            color:#FFF;background-color:#555555;}
            #content{margin:0 0 0 2%;position:relative;}
            .content-container{background:#FFF;width:96%;margin-top:8px;padding:10px;position:relative;}
            -->
            </style>
            """;

    private ErrorPages() {
    }

    /** IIS's answer for a path that matches nothing: no application, so no signature check either. */
    static String notFound() {
        return page("404 - File or directory not found.", "404 - File or directory not found.",
                "The resource you are looking for might have been removed, had its name changed, or is temporarily "
                        + "unavailable.");
    }

    /**
     * IIS's answer when it refuses the client itself (IP and domain restrictions, authorization rules, a disabled
     * directory): no application ran, so no signature was checked either.
     */
    static String forbidden() {
        return page("403 - Forbidden: Access is denied.", "403 - Forbidden: Access is denied.",
                "You do not have permission to view this directory or page using the credentials that you supplied.");
    }

    /** The page of a 5xx that did not come from Web API (an unhandled exception, a stopped app pool, a proxy). */
    static String serverError(int status) {
        return switch (status) {
            case 502 -> page("502 - Web server received an invalid response while acting as a gateway or proxy server.",
                    "502 - Web server received an invalid response while acting as a gateway or proxy server.",
                    "There is a problem with the page you are looking for, and it cannot be displayed. When the Web "
                            + "server (while acting as a gateway or proxy) contacted the upstream content server, it "
                            + "received an invalid response from the content server.");
            case 503 -> page("Service Unavailable", "HTTP Error 503. The service is unavailable.",
                    "The application pool serving this site is stopped or is restarting.");
            default -> page(status + " - Internal server error.", status + " - Internal server error.",
                    "There is a problem with the resource you are looking for, and it cannot be displayed.");
        };
    }

    private static String page(String title, String heading, String sentence) {
        return """
                <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" \
                "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
                <html xmlns="http://www.w3.org/1999/xhtml">
                <head>
                <meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>
                <title>%s</title>
                %s</head>
                <body>
                <div id="header"><h1>Server Error</h1></div>
                <div id="content">
                 <div class="content-container"><fieldset>
                  <h2>%s</h2>
                  <h3>%s</h3>
                 </fieldset></div>
                </div>
                </body>
                </html>
                """.formatted(title, STYLE, heading, sentence);
    }
}
