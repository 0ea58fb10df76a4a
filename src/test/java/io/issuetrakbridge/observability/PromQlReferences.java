package io.issuetrakbridge.observability;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The metrics and labels a PromQL expression refers to: each vector selector's metric name with the labels
 * of its matchers, and the labels named in {@code by}, {@code without}, {@code on}, {@code ignoring},
 * {@code group_left} and {@code group_right}. Enough of PromQL's lexical structure to find them (strings,
 * comments, ranges and durations skipped; function and aggregation names told from metric names by the
 * parenthesis that follows) but no evaluation: Prometheus itself checks the syntax ({@link PrometheusScrapeTest}).
 * The Debian package's Prometheus (2.42) has no {@code /api/v1/parse_query} to ask instead.
 */
record PromQlReferences(List<Selector> selectors, Set<String> groupingLabels) {

    /** A vector selector: {@code metric{label="value", ...}}; {@code metric} from {@code __name__} when bare. */
    record Selector(String metric, Set<String> labels) {
    }

    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan",
            "group_left", "group_right");

    static PromQlReferences of(String expression) {
        List<String> tokens = tokens(expression);
        List<Selector> selectors = new ArrayList<>();
        Set<String> grouping = new LinkedHashSet<>();
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            String next = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
            if (GROUPING.contains(token) && next.equals("(")) {
                i += 2;
                for (; i < tokens.size() && !tokens.get(i).equals(")"); i++) {
                    if (isIdentifier(tokens.get(i))) {
                        grouping.add(tokens.get(i));
                    }
                }
            } else if (token.equals("{")) {
                // A selector without a metric name before its braces.
                i = matchers(tokens, i, null, selectors);
            } else if (isIdentifier(token) && !next.equals("(") && !next.equals("by") && !next.equals("without")
                    && !KEYWORDS.contains(token)) {
                // Not a function or an aggregation (sum by (...) (...)), so a metric name.
                i = next.equals("{") ? matchers(tokens, i + 1, token, selectors) : i;
                if (!next.equals("{")) {
                    selectors.add(new Selector(token, Set.of()));
                }
            }
        }
        return new PromQlReferences(selectors, grouping);
    }

    /** Reads the matchers from the {@code {} at {@code open}; returns the index of the closing brace. */
    private static int matchers(List<String> tokens, int open, String metric, List<Selector> selectors) {
        Set<String> labels = new LinkedHashSet<>();
        String name = metric;
        int i = open + 1;
        while (i < tokens.size() && !tokens.get(i).equals("}")) {
            String label = tokens.get(i);
            if (isIdentifier(label) && i + 2 < tokens.size()) {
                String value = tokens.get(i + 2);
                if (label.equals("__name__")) {
                    name = value.substring(1, value.length() - 1);
                } else {
                    labels.add(label);
                }
                i += 3;
            } else {
                i++;
            }
        }
        selectors.add(new Selector(name, labels));
        return i;
    }

    private static boolean isIdentifier(String token) {
        char first = token.isEmpty() ? ' ' : token.charAt(0);
        return Character.isLetter(first) || first == '_' || first == ':';
    }

    /** Identifiers, strings (quotes kept), punctuation and operators; numbers, durations and ranges dropped. */
    static List<String> tokens(String expression) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < expression.length()) {
            char c = expression.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                while (i < expression.length() && expression.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '"' || c == '\'' || c == '`') {
                int start = i++;
                while (i < expression.length() && expression.charAt(i) != c) {
                    i += expression.charAt(i) == '\\' && c != '`' ? 2 : 1;
                }
                tokens.add(expression.substring(start, ++i));
            } else if (c == '[') {
                // A range or subquery: durations only, nothing referring to a metric or label.
                while (i < expression.length() && expression.charAt(i) != ']') {
                    i++;
                }
                i++;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < expression.length()
                    && Character.isDigit(expression.charAt(i + 1)))) {
                // A number or a duration (5m, 1h30m, 1e3): letters directly after digits belong to it.
                while (i < expression.length() && (Character.isLetterOrDigit(expression.charAt(i))
                        || expression.charAt(i) == '.'
                        || (expression.charAt(i) == '+' || expression.charAt(i) == '-')
                                && Character.toLowerCase(expression.charAt(i - 1)) == 'e')) {
                    i++;
                }
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                int start = i;
                while (i < expression.length() && (Character.isLetterOrDigit(expression.charAt(i))
                        || expression.charAt(i) == '_' || expression.charAt(i) == ':')) {
                    i++;
                }
                tokens.add(expression.substring(start, i));
            } else if ("=!<>".indexOf(c) >= 0 && i + 1 < expression.length()
                    && "=~".indexOf(expression.charAt(i + 1)) >= 0) {
                tokens.add(expression.substring(i, i + 2));
                i += 2;
            } else {
                tokens.add(Character.toString(c));
                i++;
            }
        }
        return tokens;
    }
}
