/* Writing a preset as YAML (part of core/preset.h: include that). */
#ifndef PWB_PRESET_EMIT_H
#define PWB_PRESET_EMIT_H

struct session;

/* The canonical YAML text of a session (what preset_save writes), malloc'd;
 * never NULL: a JSON field that does not parse is written as a string (where
 * preset_save refuses with PRESET_SAVE_INVALID). */
char *preset_emit(const struct session *s);

/* The same, strict: NULL when a field cannot be written as it is, with
 * *bad_field (malloc'd) naming it ("(emitter)" when libyaml failed). */
char *preset_emit_checked(const struct session *s, char **bad_field);

#endif
