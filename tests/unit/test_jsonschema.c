/* core/jsonschema: each supported keyword accepting and rejecting a value,
 * the JSON pointer in errors, unsupported keywords named. */
#include "core/jsonschema.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define T(fn) RUN(fn)

static char last_error[1024];

/* 1 valid, 0 invalid, -1 when the schema itself is refused. */
static int check(const char *schema, const char *json)
{
	char *err = NULL;
	last_error[0] = 0;
	struct jsonschema *s = jsonschema_parse(schema, &err);
	if (!s) {
		snprintf(last_error, sizeof last_error, "%s", err);
		free(err);
		return -1;
	}
	int ok = jsonschema_validate(s, json, strlen(json), &err);
	if (err)
		snprintf(last_error, sizeof last_error, "%s", err);
	CHECK(ok ? err == NULL : err != NULL);
	free(err);
	jsonschema_free(s);
	return ok;
}

#define ERROR_IS(s) CHECK_STR(last_error, (s))

static void test_type(void)
{
	CHECK_INT(check("{\"type\":\"string\"}", "\"a\""), 1);
	CHECK_INT(check("{\"type\":\"string\"}", "1"), 0);
	ERROR_IS("/: expected type string, found number");
	CHECK_INT(check("{\"type\":\"integer\"}", "3"), 1);
	CHECK_INT(check("{\"type\":\"integer\"}", "3.0"), 1);
	CHECK_INT(check("{\"type\":\"integer\"}", "3.5"), 0);
	CHECK_INT(check("{\"type\":\"number\"}", "3.5"), 1);
	CHECK_INT(check("{\"type\":[\"string\",\"null\"]}", "null"), 1);
	CHECK_INT(check("{\"type\":[\"string\",\"null\"]}", "false"), 0);
	ERROR_IS("/: expected type [\"string\",\"null\"], found boolean");
	CHECK_INT(check("{\"type\":\"boolean\"}", "true"), 1);
	CHECK_INT(check("{\"type\":\"array\"}", "{}"), 0);
	CHECK_INT(check("{\"type\":\"object\"}", "{}"), 1);
	CHECK_INT(check("{\"type\":\"thing\"}", "{}"), -1);
	CHECK_INT(check("true", "[1]"), 1);
	CHECK_INT(check("false", "[1]"), 0);
	CHECK_INT(check("{}", "not json"), 0);
	ERROR_IS("not valid JSON");
}

static void test_properties(void)
{
	const char *s = "{\"type\":\"object\",\"required\":[\"name\",\"tags\"],"
			"\"properties\":{\"name\":{\"type\":\"string\"},"
			"\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
			"\"a/b~c\":{\"type\":\"number\"}}}";
	CHECK_INT(check(s, "{\"name\":\"x\",\"tags\":[\"a\",\"b\"],\"extra\":1}"), 1);
	CHECK_INT(check(s, "{\"name\":\"x\"}"), 0);
	ERROR_IS("/: missing required property 'tags'");
	CHECK_INT(check(s, "{\"name\":\"x\",\"tags\":[\"a\",2]}"), 0);
	ERROR_IS("/tags/1: expected type string, found number");
	CHECK_INT(check(s, "{\"name\":\"x\",\"tags\":[],\"a/b~c\":\"no\"}"), 0);
	ERROR_IS("/a~1b~0c: expected type number, found string");
}

static void test_additional_properties(void)
{
	const char *closed = "{\"properties\":{\"a\":{}},\"additionalProperties\":false}";
	CHECK_INT(check(closed, "{\"a\":1}"), 1);
	CHECK_INT(check(closed, "{\"a\":1,\"b\":2}"), 0);
	ERROR_IS("/: property 'b' is not allowed (additionalProperties is false)");
	const char *typed = "{\"properties\":{\"a\":{}},\"additionalProperties\":{\"type\":\"integer\"}}";
	CHECK_INT(check(typed, "{\"a\":\"s\",\"b\":2}"), 1);
	CHECK_INT(check(typed, "{\"a\":\"s\",\"b\":\"x\"}"), 0);
	ERROR_IS("/b: expected type integer, found string");
	CHECK_INT(check("{\"additionalProperties\":true}", "{\"z\":1}"), 1);
}

static void test_enum_const(void)
{
	CHECK_INT(check("{\"enum\":[\"low\",\"high\",2]}", "\"high\""), 1);
	CHECK_INT(check("{\"enum\":[\"low\",\"high\",2]}", "2"), 1);
	CHECK_INT(check("{\"enum\":[\"low\",\"high\"]}", "\"mid\""), 0);
	CHECK(strstr(last_error, "expected one of [\"low\",\"high\"]") != NULL);
	CHECK_INT(check("{\"const\":{\"a\":[1]}}", "{\"a\":[1]}"), 1);
	CHECK_INT(check("{\"const\":{\"a\":[1]}}", "{\"a\":[2]}"), 0);
	ERROR_IS("/: expected the constant {\"a\":[1]}");
	CHECK_INT(check("{\"enum\":1}", "1"), -1);
}

static void test_numbers(void)
{
	CHECK_INT(check("{\"minimum\":0,\"maximum\":1}", "0.5"), 1);
	CHECK_INT(check("{\"minimum\":0,\"maximum\":1}", "0"), 1);
	CHECK_INT(check("{\"minimum\":0,\"maximum\":1}", "1"), 1);
	CHECK_INT(check("{\"minimum\":0}", "-0.5"), 0);
	ERROR_IS("/: -0.5 is less than the minimum 0");
	CHECK_INT(check("{\"maximum\":1}", "2"), 0);
	ERROR_IS("/: 2 is more than the maximum 1");
	CHECK_INT(check("{\"minimum\":0}", "\"not a number\""), 1);
	CHECK_INT(check("{\"minimum\":\"0\"}", "1"), -1);
}

static void test_lengths(void)
{
	/* code points, not bytes: "école" is 5 */
	CHECK_INT(check("{\"minLength\":5,\"maxLength\":5}", "\"\xc3\xa9" "cole\""), 1);
	CHECK_INT(check("{\"maxLength\":4}", "\"\xc3\xa9" "cole\""), 0);
	ERROR_IS("/: string of 5 code points is longer than maxLength 4");
	CHECK_INT(check("{\"minLength\":6}", "\"\xc3\xa9" "cole\""), 0);
	CHECK_INT(check("{\"minItems\":1,\"maxItems\":2}", "[1]"), 1);
	CHECK_INT(check("{\"minItems\":1}", "[]"), 0);
	ERROR_IS("/: array of 0 items has fewer than minItems 1");
	CHECK_INT(check("{\"maxItems\":2}", "[1,2,3]"), 0);
	CHECK_INT(check("{\"minProperties\":1}", "{\"a\":1}"), 1);
	CHECK_INT(check("{\"minProperties\":2}", "{\"a\":1}"), 0);
	ERROR_IS("/: object of 1 properties has fewer than minProperties 2");
	CHECK_INT(check("{\"minLength\":-1}", "\"\""), -1);
	CHECK_INT(check("{\"minLength\":1.5}", "\"\""), -1);
}

static void test_pattern(void)
{
	CHECK_INT(check("{\"pattern\":\"^[A-Z]{2}\\\\d+$\"}", "\"AB12\""), 1);
	CHECK_INT(check("{\"pattern\":\"^[A-Z]{2}\\\\d+$\"}", "\"AB12\\n\""), 0);
	CHECK_INT(check("{\"pattern\":\"^\\\\d+$\"}", "\"\xd9\xa3\""), 0);
	ERROR_IS("/: string does not match the pattern ^\\d+$");
	CHECK_INT(check("{\"properties\":{\"p\":{\"pattern\":\"(\"}}}", "{}"), -1);
	CHECK(strstr(last_error, "/properties/p: pattern does not compile at offset 1") != NULL);
}

static void test_unsupported(void)
{
	CHECK_INT(check("{\"type\":\"object\",\"patternProperties\":{}}", "{}"), -1);
	ERROR_IS("/: unsupported JSON Schema keyword 'patternProperties'");
	CHECK_INT(check("{\"items\":{\"anyOf\":[]}}", "[]"), -1);
	ERROR_IS("/items: unsupported JSON Schema keyword 'anyOf'");
	CHECK_INT(check("{\"items\":[{}]}", "[]"), -1);
	CHECK(strstr(last_error, "list form of items") != NULL);
	CHECK_INT(check("{\"$ref\":\"#/x\"}", "1"), -1);
	/* annotations are accepted */
	CHECK_INT(check("{\"$schema\":\"http://json-schema.org/draft-07/schema#\","
			"\"title\":\"T\",\"description\":\"D\",\"default\":1,\"examples\":[1],"
			"\"type\":\"integer\"}", "1"), 1);
	CHECK_INT(check("[]", "1"), -1);
	CHECK_INT(check("{oops", "1"), -1);
}

static void test_deep(void)
{
	/* nesting beyond the limit is refused, not recursed into */
	char schema[4000] = "", json[4000] = "";
	for (int i = 0; i < 200; i++)
		strcat(schema, "{\"items\":");
	strcat(schema, "{}");
	for (int i = 0; i < 200; i++)
		strcat(schema, "}");
	CHECK_INT(check(schema, "[]"), -1);
	for (int i = 0; i < 300; i++)
		strcat(json, "[");
	for (int i = 0; i < 300; i++)
		strcat(json, "]");
	CHECK_INT(check("{\"items\":{\"items\":{}}}", json), 1);
}

int main(void)
{
	T(test_type);
	T(test_properties);
	T(test_additional_properties);
	T(test_enum_const);
	T(test_numbers);
	T(test_lengths);
	T(test_pattern);
	T(test_unsupported);
	T(test_deep);
	return tap_done();
}
