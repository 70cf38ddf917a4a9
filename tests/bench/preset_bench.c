/* Benchmark helper for the preset cases of `make bench`: loads a preset
 * file with the release core (preset_load_file + preset_validate), then,
 * with "save", writes it back with preset_save (atomic: temp file, fsync,
 * rename). Prints the in-process times as JSON on stdout:
 *   preset_bench load FILE
 *   preset_bench save FILE OUT
 *   preset_bench deep N      the worst case for nesting: "metadata: [[[...]]]"
 *                            N deep, built in memory; it must be refused at
 *                            the depth limit at once (prints deep_ms) */
#include "core/buf.h"
#include "core/diag.h"
#include "core/preset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int deep(long n)
{
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "pwb: 1\nmodel: m\nmetadata: ");
	for (long i = 0; i < n; i++)
		buf_puts(&b, "[");
	for (long i = 0; i < n; i++)
		buf_puts(&b, "]");
	buf_puts(&b, "\n");
	struct diag_list diags;
	diag_list_init(&diags);
	double t0 = now_ms();
	struct preset *p = preset_load_string("deep.yaml", buf_str(&b), b.len, &diags);
	double t1 = now_ms();
	printf("{\"deep_ms\": %.3f, \"bytes\": %zu, \"refused\": %s}\n", t1 - t0, b.len,
	       p ? "false" : "true");
	int rc = p ? 2 : 0; /* accepting it would be the failure */
	preset_free(p);
	diag_list_done(&diags);
	buf_done(&b);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "deep") == 0)
		return deep(strtol(argv[2], NULL, 10));
	if (argc < 3 || (strcmp(argv[1], "save") == 0 && argc < 4)) {
		fprintf(stderr, "usage: preset_bench load FILE | save FILE OUT | deep N\n");
		return 2;
	}
	struct diag_list diags;
	diag_list_init(&diags);
	double t0 = now_ms();
	struct preset *p = preset_load_file(argv[2], &diags);
	double t1 = now_ms();
	if (!p) {
		diag_print_all(stderr, &diags);
		diag_list_done(&diags);
		return 2;
	}
	preset_validate(p, &diags);
	double t2 = now_ms();
	int rc = diag_count(&diags, DIAG_ERROR) ? 2 : 0;
	double t3 = t2;
	if (rc == 0 && strcmp(argv[1], "save") == 0) {
		enum preset_save_result r = preset_save(p, argv[3], PRESET_SAVE_FORCE, NULL, &diags);
		t3 = now_ms();
		if (r != PRESET_SAVED)
			rc = 2;
	}
	if (rc)
		diag_print_all(stderr, &diags);
	printf("{\"load_ms\": %.3f, \"validate_ms\": %.3f, \"save_ms\": %.3f}\n", t1 - t0, t2 - t1,
	       t3 - t2);
	preset_free(p);
	diag_list_done(&diags);
	return rc;
}
