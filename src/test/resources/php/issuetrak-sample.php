<?php
// The vendor's PHP sample (shared/issuetrak-api/api-samples-overview.txt, "index.php"), with the braces the
// vendor page's rendering lost restored and nothing else changed in ExecuteApiCall() and guid(). Only the
// two settings come from the environment, and the driver at the end replaces the sample's own calls.

$base_url = getenv("ISSUETRAK_BASE_URL");
$api_key = getenv("ISSUETRAK_API_KEY");
$hash_algorithm = "sha512";


function testGetRequest($noteId)
{
	$request_method = "GET";
	$request_path = "/api/v1/notes/" . $noteId;
	$request_query = "";
	$request_body = "";

	$response = ExecuteApiCall($request_method, $request_path, $request_query, $request_body);

	echo "RESPONSE = " . $response . "\n";
}

function testPostRequest()
{
	$request_method = "POST";
	$request_path = "/api/v1/notes";
	$request_query = "";
	$request_body = <<<END
{
	"IssueNumber": 1,
	"CreatedDate": "2018-01-01T12:32:32-04:00",
	"CreatedBy": "APIUser",
	"ShouldSuppressEmailForCreateOperation": false,
	"NoteText": "Testing note creation from PHP.",
	"IsPrivate": false,
	"IsRichText": false
}
END;

	$response = ExecuteApiCall($request_method, $request_path, $request_query, $request_body);

	echo "RESPONSE = " . $response . "\n";
	return $response;
}

function ExecuteApiCall($method, $requestPath, $requestQuery, $requestBody)
{
	$request_time_iso8601 = gmdate("Y-m-d\TH:i:s") . substr((string)microtime(), 1, 8) . "Z";
	$request_guid = guid();

	$request_summary = implode("\n", [$method, strtolower($request_guid), $request_time_iso8601, strtolower($requestPath), 	$requestQuery, $requestBody]);
	$request_signature = base64_encode(hash_hmac($GLOBALS['hash_algorithm'], $request_summary, $GLOBALS['api_key'], true));

	$http_headers = array(
		"Content-Type: application/json",
		"X-Issuetrak-API-Timestamp: " . $request_time_iso8601,
		"X-Issuetrak-API-Request-ID: " . $request_guid,
		"X-Issuetrak-API-Authorization: " . $request_signature
	);

	$curl = curl_init();
	curl_setopt($curl, CURLOPT_URL, $GLOBALS['base_url'] . $requestPath . $requestQuery);
	curl_setopt($curl, CURLOPT_HTTPHEADER, $http_headers);
	curl_setopt($curl, CURLOPT_RETURNTRANSFER, 1);

	if($method === 'POST')
	{
		curl_setopt($curl, CURLOPT_POST, 1);
		curl_setopt($curl, CURLOPT_POSTFIELDS, $requestBody);
	}

	$response = curl_exec($curl);

	return $response;
}

function guid()
{
	if (function_exists('com_create_guid'))
	{ # this happens on Windows
		return com_create_guid();
	}
	else
	{ # this happens on other platforms

		$charid = md5(uniqid(rand(), true));
		$hyphen = chr(45); # "-"
		$uuid = substr($charid, 0, 8) . $hyphen
			. substr($charid, 8, 4) . $hyphen
			. substr($charid,12, 4) . $hyphen
			. substr($charid,16, 4) . $hyphen
			. substr($charid,20,12);

		return $uuid;
	}
}

// Driver: create a note the sample's way, then read it back the sample's way.
$noteId = testPostRequest();
testGetRequest($noteId);
