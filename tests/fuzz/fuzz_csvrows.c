/* libFuzzer target: core/testrows over arbitrary bytes read as a rows CSV.
 * Properties: memory safety; every row's line is within the input's lines;
 * every assertion the reader returns has a known type and runs against a
 * fixed answer (with the row's variables) to a verdict with a reason. */
#include "core/assert.h"
#include "core/assert-cell.h"
#include "core/diag.h"
#include "core/testrows.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	int lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	struct diag_list diags;
	diag_list_init(&diags);
	struct testrows *rows = testrows_parse_csv("fuzz.csv", (const char *)data, size, &diags);
	if (!rows)
		FUZZ_FAIL("testrows_parse_csv returned NULL");
	struct assert_answer ans;
	assert_answer_from_text("Paris {\"a\": [1, 2]} \xc3\x89" "cole 42\n", &ans);
	ans.cost_usd = 0.001;
	ans.latency_ms = 10;
	for (size_t i = 0; i < rows->n; i++) {
		const struct testrow *row = &rows->v[i];
		if (row->line < 1 || row->line > lines)
			FUZZ_FAIL("row %zu on line %d of %d", i, row->line, lines);
		for (size_t k = 0; k < row->nasserts; k++) {
			const struct assertion *a = row->asserts[k];
			if (!assert_type_known(a->type))
				FUZZ_FAIL("row %zu has an assertion of unknown type %s", i, a->type);
			struct assert_result r;
			int pass = assert_check(a, &ans, row->vars, row->nvars, NULL, &r);
			if (pass != r.pass || !r.reason)
				FUZZ_FAIL("assert_check gave no verdict for %s", a->type);
			assert_result_done(&r);
		}
	}
	assert_answer_done(&ans);
	testrows_free(rows);
	diag_list_done(&diags);
	return 0;
}
