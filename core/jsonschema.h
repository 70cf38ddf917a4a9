/* A JSON Schema validator for the subset that prompt tests use: type
 * (a name or a list; "integer" is a number without a fraction), properties,
 * required, items (one schema), enum, const, additionalProperties (a boolean
 * or a schema), minimum, maximum, minLength, maxLength (in Unicode code
 * points), minItems, maxItems, minProperties, pattern (JavaScript meaning,
 * core/jsregex.h). The annotations $schema, $id, $comment, title,
 * description, default and examples are accepted and ignored; any other
 * keyword makes the schema invalid, naming it, so a schema never silently
 * checks less than it says. true and false are schemas too. */
#ifndef PWB_JSONSCHEMA_H
#define PWB_JSONSCHEMA_H

#include <stddef.h>

struct jsonschema;

/* Parse and check schema_json. Returns the schema (free with
 * jsonschema_free), or NULL with *error malloc'd (the caller frees): not
 * JSON, an unsupported keyword (named, with the JSON pointer of the schema
 * holding it), a keyword with a value of the wrong kind, a pattern that
 * does not compile. */
struct jsonschema *jsonschema_parse(const char *schema_json, char **error);

/* Validate the JSON text json[0..len) against s. Returns 1 when valid; 0
 * when not (or when json is not JSON), with *error, when error is not NULL,
 * a malloc'd message naming the JSON pointer of the failing value, e.g.
 * "/items/2/name: expected type string, found number". */
int jsonschema_validate(const struct jsonschema *s, const char *json, size_t len, char **error);

void jsonschema_free(struct jsonschema *s);

#endif
