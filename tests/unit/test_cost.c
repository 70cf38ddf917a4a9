/* Prices from the table of docs/api-notes.md section 9, figures computed by hand. */
#include "tests/unit/tap.h"

#include "core/cost.h"

#include <limits.h>
#include <math.h>

#define CHECK_USD(got, want) do { double tg_ = (got), tw_ = (want); \
	if (fabs(tg_ - tw_) > 1e-12) { tap_case_failed = 1; \
	printf("#   %s:%d: %s: got %.10f, expected %.10f\n", __FILE__, __LINE__, #got, tg_, tw_); } } while (0)

static struct usage mk(long in, long out, long cc, long cr)
{
	struct usage u;
	usage_init(&u);
	u.input_tokens = in;
	u.output_tokens = out;
	u.cache_creation_input_tokens = cc;
	u.cache_read_input_tokens = cr;
	return u;
}

static void test_usage_init(void)
{
	struct usage u;
	usage_init(&u);
	CHECK_INT(u.input_tokens, -1);
	CHECK_INT(u.output_tokens, -1);
	CHECK_INT(u.cache_creation_input_tokens, -1);
	CHECK_INT(u.cache_read_input_tokens, -1);
	CHECK_INT(u.cache_creation_5m, -1);
	CHECK_INT(u.cache_creation_1h, -1);
	double usd = 99;
	CHECK(cost_of_usage("claude-haiku-4-5", &u, &usd));
	CHECK_USD(usd, 0.0);
	/* Absurd counts do not overflow the prompt size used for tiers. */
	u.input_tokens = LONG_MAX;
	u.cache_read_input_tokens = LONG_MAX;
	CHECK(cost_of_usage("claude-haiku-5-5", &u, &usd));
	CHECK(usd > 0);
}

static void test_sonnet_4_5_dated(void)
{
	/* 1000 in x 3 + 2000 5m writes x 3.75 + 10000 reads x 0.30 + 500 out x 15
	 * = 3000 + 7500 + 3000 + 7500 = 21000 per million. */
	struct usage u = mk(1000, 500, 2000, 10000);
	double usd = 0;
	CHECK(cost_of_usage("claude-sonnet-4-5-20250929", &u, &usd));
	CHECK_USD(usd, 0.021);
	/* With the 5m/1h split: 1000 x 3.75 + 1000 x 6 instead of 2000 x 3.75. */
	u.cache_creation_5m = 1000;
	u.cache_creation_1h = 1000;
	CHECK(cost_of_usage("claude-sonnet-4-5", &u, &usd));
	CHECK_USD(usd, 0.02325);
	/* A split of 0 and 0 means no writes, whatever the total says. */
	u.cache_creation_5m = 0;
	u.cache_creation_1h = 0;
	CHECK(cost_of_usage("claude-sonnet-4-5", &u, &usd));
	CHECK_USD(usd, 0.0135);
}

static void test_opus_4_1(void)
{
	struct usage u = mk(100, 100, -1, -1);
	double usd = 0;
	CHECK(cost_of_usage("claude-opus-4-1-20250805", &u, &usd));
	CHECK_USD(usd, (100 * 15.0 + 100 * 75.0) / 1e6);
	CHECK(cost_of_usage("claude-opus-4-0", &u, &usd));
	CHECK_USD(usd, 0.009);
	CHECK(cost_of_usage("claude-opus-4-20250514", &u, &usd));
	CHECK_USD(usd, 0.009);
}

static void test_haiku_5_5_tiers(void)
{
	double usd = 0;
	/* At exactly 100k prompt tokens the low tier applies:
	 * 100000 x 0.10 + 1000 x 0.50 = 10500. */
	struct usage u = mk(100000, 1000, -1, -1);
	CHECK(cost_of_usage("claude-haiku-5-5", &u, &usd));
	CHECK_USD(usd, 0.0105);
	/* One more: 100001 x 0.50 + 1000 x 2.50 = 52500.5. */
	u.input_tokens = 100001;
	CHECK(cost_of_usage("claude-haiku-5-5", &u, &usd));
	CHECK_USD(usd, 0.0525005);
	/* Cache reads count towards the prompt: 50000 + 60000 > 100k,
	 * 50000 x 0.50 + 60000 x 0.05 = 28000. */
	u = mk(50000, 0, 0, 60000);
	CHECK(cost_of_usage("claude-haiku-5-5", &u, &usd));
	CHECK_USD(usd, 0.028);
	struct price p;
	CHECK(cost_price("claude-haiku-5-5", 10, &p));
	CHECK_USD(p.input, 0.10);
	CHECK_USD(p.cache_write_1h, 0.20);
	CHECK(cost_price("claude-haiku-5-5", 200000, &p));
	CHECK_USD(p.output, 2.50);
	CHECK_USD(p.cache_read, 0.05);
}

static void test_table_rows(void)
{
	struct price p;
	CHECK(cost_price("claude-3-5-haiku-20241022", 0, &p));
	CHECK_USD(p.input, 0.80);
	CHECK_USD(p.cache_write_1h, 1.60);
	CHECK(cost_price("claude-3-5-haiku-latest", 0, &p));
	CHECK_USD(p.output, 4);
	CHECK(cost_price("claude-3-haiku-20240307", 0, &p));
	CHECK_USD(p.cache_read, 0.03);
	CHECK(cost_price("claude-opus-4-5-20251101", 0, &p));
	CHECK_USD(p.output, 25);
	CHECK(cost_price("claude-opus-4-8", 0, &p));
	CHECK_USD(p.cache_write_5m, 6.25);
	CHECK(cost_price("claude-opus-5-5", 0, &p));
	CHECK_USD(p.input, 4);
	CHECK(cost_price("claude-fable-5-2", 0, &p));
	CHECK_USD(p.output, 40);
	CHECK(cost_price("claude-mythos-5-1", 0, &p));
	CHECK_USD(p.cache_read, 0.25);
	CHECK(cost_price("claude-fable-5", 0, &p));
	CHECK_USD(p.cache_read, 1.00);
	CHECK(cost_price("claude-sonnet-5", 0, &p));
	CHECK_USD(p.output, 10);
	CHECK(cost_price("claude-sonnet-4-0", 0, &p));
	CHECK_USD(p.input, 3);
	CHECK(cost_price("claude-sonnet-4-20250514", 0, &p));
	CHECK_USD(p.input, 3);
	CHECK(cost_price("claude-haiku-4-5-20251001", 0, &p));
	CHECK_USD(p.cache_write_5m, 1.25);
	/* Cloud forms of the same ids. */
	CHECK(cost_price("us.anthropic.claude-sonnet-4-5-20250929-v1:0", 0, &p));
	CHECK_USD(p.output, 15);
	CHECK(cost_price("claude-opus-4-1@20250805", 0, &p));
	CHECK_USD(p.output, 75);
}

static void test_unknown(void)
{
	struct usage u = mk(1000, 1000, -1, -1);
	double usd = 42;
	CHECK(!cost_of_usage("claude-3-7-sonnet-20250219", &u, &usd));
	CHECK(!cost_of_usage("claude-mythos-5-2", &u, &usd)); /* no confirmed price */
	CHECK(!cost_of_usage("claude-mythos-preview", &u, &usd));
	CHECK(!cost_of_usage("gpt-4o", &u, &usd));
	CHECK(!cost_of_usage("claude-opus-4-5x", &u, &usd));
	CHECK(!cost_of_usage("", &u, &usd));
	CHECK(!cost_of_usage(NULL, &u, &usd));
	CHECK_USD(usd, 42); /* untouched */
	CHECK(!cost_estimate("claude-unknown-1", 10, 10, &usd));
	struct price p;
	CHECK(!cost_price("claude-sonnet", 0, &p));
}

static void test_estimate(void)
{
	double usd = 0;
	/* 2000 x 1 + 1000 x 5 = 7000. */
	CHECK(cost_estimate("claude-haiku-4-5", 2000, 1000, &usd));
	CHECK_USD(usd, 0.007);
	/* The tier follows the prompt: 150000 x 0.50 + 100 x 2.50. */
	CHECK(cost_estimate("claude-haiku-5-5", 150000, 100, &usd));
	CHECK_USD(usd, 0.07525);
}

static void test_models(void)
{
	CHECK_STR(cost_builtin_models[0], "claude-fable-5-2");
	size_t n = 0;
	int sonnet45 = 0;
	for (; cost_builtin_models[n]; n++) {
		if (strcmp(cost_builtin_models[n], "claude-sonnet-4-5") == 0)
			sonnet45 = 1;
		for (size_t j = 0; j < n; j++)
			CHECK(strcmp(cost_builtin_models[j], cost_builtin_models[n]) != 0);
	}
	CHECK(n >= 15);
	CHECK(sonnet45);
	CHECK_INT(cost_model_max_tokens("claude-sonnet-4-5-20250929"), 64000);
	CHECK_INT(cost_model_max_tokens("claude-opus-4-1"), 32000);
	CHECK_INT(cost_model_max_tokens("claude-unknown-9"), 0);
	CHECK_INT(cost_model_max_tokens(NULL), 0);
}

int main(void)
{
	RUN(test_usage_init);
	RUN(test_sonnet_4_5_dated);
	RUN(test_opus_4_1);
	RUN(test_haiku_5_5_tiers);
	RUN(test_table_rows);
	RUN(test_unknown);
	RUN(test_estimate);
	RUN(test_models);
	return tap_done();
}
