/* Shared helpers of the libFuzzer targets (header-only: each target is one
 * translation unit linked with the core built for fuzzing). */
#ifndef PWB_FUZZ_COMMON_H
#define PWB_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "core/stream.h"

/* A property failed: print why and abort, which libFuzzer records as a crash. */
#define FUZZ_FAIL(...)                                              \
	do {                                                        \
		fprintf(stderr, "fuzz property failed at %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__);                       \
		fputc('\n', stderr);                                \
		abort();                                            \
	} while (0)

static inline int fuzz_str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* A seed for pseudo-random chunking, fixed by the input so runs repeat. */
static inline uint64_t fuzz_seed(const uint8_t *data, size_t size)
{
	uint64_t h = 1469598103934665603ULL ^ size;
	for (size_t i = 0; i < size && i < 64; i++) {
		h ^= data[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Text the core hands out as JSON must parse as JSON. */
static inline void fuzz_check_json(const char *json, const char *what)
{
	cJSON *j = cJSON_Parse(json);
	if (!j)
		FUZZ_FAIL("%s is not valid JSON: %s", what, json);
	cJSON_Delete(j);
}

/* The text_delta fast path switch of core/stream.h. */
static inline int fuzz_have_fast_path_switch(void) { return 1; }
static inline void fuzz_stream_fast_path(struct stream *s, int on) { stream_set_fast_path(s, on); }

#endif
