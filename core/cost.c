#include "core/cost.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

void usage_init(struct usage *u)
{
	u->input_tokens = -1;
	u->output_tokens = -1;
	u->cache_creation_input_tokens = -1;
	u->cache_read_input_tokens = -1;
	u->cache_creation_5m = -1;
	u->cache_creation_1h = -1;
}

/* docs/api-notes.md section 9, USD per million tokens. names are model ids with the
 * date suffix removed; tier_above > 0 switches to the second price for
 * prompts above that many tokens. */
struct price_row {
	const char *names[6];
	struct price price;
	long tier_above;
	struct price above;
};

static const struct price_row price_table[] = {
	/* Fable 5.2 prices are third-party (2026-11). */
	{ .names = { "claude-fable-5-2" }, .price = { 8, 10, 16, 0.20, 40 } },
	{ .names = { "claude-fable-5-1", "claude-mythos-5-1" }, .price = { 10, 12.50, 20, 0.25, 50 } },
	{ .names = { "claude-fable-5", "claude-mythos-5" }, .price = { 10, 12.50, 20, 1.00, 50 } },
	{ .names = { "claude-opus-5-5" }, .price = { 4, 5, 8, 0.20, 20 } },
	{ .names = { "claude-opus-5", "claude-opus-4-8", "claude-opus-4-7", "claude-opus-4-6",
		     "claude-opus-4-5" },
	  .price = { 5, 6.25, 10, 0.50, 25 } },
	/* Sonnet 5.5 cache reads cost 0.10 from 2026-10-07 (third-party; 0.20 before). */
	{ .names = { "claude-sonnet-5-5" }, .price = { 2, 2.50, 4, 0.10, 10 } },
	{ .names = { "claude-sonnet-5" }, .price = { 2, 2.50, 4, 0.20, 10 } },
	{ .names = { "claude-sonnet-4-6", "claude-sonnet-4-5", "claude-sonnet-4", "claude-sonnet-4-0" },
	  .price = { 3, 3.75, 6, 0.30, 15 } },
	/* Haiku 5.5 (third-party): tiered at 100k prompt tokens. */
	{ .names = { "claude-haiku-5-5" },
	  .price = { 0.10, 0.125, 0.20, 0.01, 0.50 },
	  .tier_above = 100000,
	  .above = { 0.50, 0.625, 1.00, 0.05, 2.50 } },
	{ .names = { "claude-haiku-4-5" }, .price = { 1, 1.25, 2, 0.10, 5 } },
	{ .names = { "claude-3-5-haiku" }, .price = { 0.80, 1, 1.60, 0.08, 4 } },
	{ .names = { "claude-opus-4-1", "claude-opus-4", "claude-opus-4-0" },
	  .price = { 15, 18.75, 30, 1.50, 75 } },
	{ .names = { "claude-3-haiku" }, .price = { 0.25, 0.30, 0.50, 0.03, 1.25 } },
};

const char *const cost_builtin_models[] = {
	"claude-fable-5-2", "claude-mythos-5-2", "claude-haiku-5-5", "claude-sonnet-5-5",
	"claude-fable-5-1", "claude-opus-5-5", "claude-mythos-5-1", "claude-sonnet-5",
	"claude-fable-5", "claude-mythos-5", "claude-opus-5", "claude-opus-4-8",
	"claude-opus-4-7", "claude-mythos-preview", "claude-opus-4-6", "claude-sonnet-4-6",
	"claude-haiku-4-5", "claude-opus-4-5", "claude-sonnet-4-5", "claude-opus-4-1",
	NULL,
};

static int all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

/* The family id of model into out: "claude-sonnet-4-5-20250929" ->
 * "claude-sonnet-4-5"; also drops "-latest", and the cloud forms
 * ("us.anthropic.claude-...-v1:0", "claude-...@20250805"). */
static int normalise(const char *model, char *out, size_t size)
{
	const char *p = strstr(model, "claude-");
	if (!p)
		return -1;
	size_t n = strcspn(p, "@:");
	if (n >= size)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	for (int changed = 1; changed;) {
		changed = 0;
		char *dash = strrchr(out, '-');
		if (!dash)
			break;
		size_t tail = strlen(dash + 1);
		if ((tail == 8 && all_digits(dash + 1, 8)) || strcmp(dash + 1, "latest") == 0 ||
		    (tail >= 2 && dash[1] == 'v' && all_digits(dash + 2, tail - 1))) {
			*dash = '\0';
			changed = 1;
		}
	}
	return 0;
}

static const struct price_row *price_lookup(const char *model)
{
	char id[128];
	if (!model || normalise(model, id, sizeof id) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof price_table / sizeof *price_table; i++)
		for (size_t j = 0; j < 6 && price_table[i].names[j]; j++)
			if (strcmp(price_table[i].names[j], id) == 0)
				return &price_table[i];
	return NULL;
}

int cost_price(const char *model, long prompt_tokens, struct price *out)
{
	const struct price_row *r = price_lookup(model);
	if (!r)
		return 0;
	*out = (r->tier_above > 0 && prompt_tokens > r->tier_above) ? r->above : r->price;
	return 1;
}

static double nz(long v)
{
	return v > 0 ? (double)v : 0.0;
}

int cost_of_usage(const char *model, const struct usage *u, double *usd)
{
	double sum = nz(u->input_tokens) + nz(u->cache_creation_input_tokens) +
		     nz(u->cache_read_input_tokens);
	long prompt = sum >= (double)LONG_MAX ? LONG_MAX : (long)sum;
	struct price p;
	if (!cost_price(model, prompt, &p))
		return 0;
	double w5, w1h;
	if (u->cache_creation_5m >= 0 || u->cache_creation_1h >= 0) {
		w5 = nz(u->cache_creation_5m);
		w1h = nz(u->cache_creation_1h);
	} else {
		/* No split given: the default TTL is 5 minutes. */
		w5 = nz(u->cache_creation_input_tokens);
		w1h = 0;
	}
	*usd = (nz(u->input_tokens) * p.input + w5 * p.cache_write_5m + w1h * p.cache_write_1h +
		nz(u->cache_read_input_tokens) * p.cache_read + nz(u->output_tokens) * p.output) /
	       1e6;
	return 1;
}

int cost_estimate(const char *model, long input_tokens, long max_tokens, double *usd)
{
	struct price p;
	if (!cost_price(model, input_tokens, &p))
		return 0;
	*usd = (nz(input_tokens) * p.input + nz(max_tokens) * p.output) / 1e6;
	return 1;
}

int cost_of_usage_batch(const char *model, const struct usage *u, double *usd)
{
	if (!cost_of_usage(model, u, usd))
		return 0;
	*usd *= COST_BATCH_FACTOR;
	return 1;
}

int cost_estimate_batch(const char *model, long input_tokens, long max_tokens, double *usd)
{
	if (!cost_estimate(model, input_tokens, max_tokens, usd))
		return 0;
	*usd *= COST_BATCH_FACTOR;
	return 1;
}

/* The models overview pages (platform.claude.com/docs/models/<id>/overview,
 * 2026-11): display name, context window, maximum output. The 5.x
 * generation and Opus 4.6 to 4.8, Sonnet 4.6 have 1M / 128K; Mythos
 * Preview has no stored page and is given its generation's figures. */
static const struct cost_model model_table[] = {
	{ "claude-fable-5-2", "Claude Fable 5.2", 1000000, 128000 },
	{ "claude-mythos-5-2", "Claude Mythos 5.2", 1000000, 128000 },
	{ "claude-haiku-5-5", "Claude Haiku 5.5", 1000000, 128000 },
	{ "claude-sonnet-5-5", "Claude Sonnet 5.5", 1000000, 128000 },
	{ "claude-fable-5-1", "Claude Fable 5.1", 1000000, 128000 },
	{ "claude-opus-5-5", "Claude Opus 5.5", 1000000, 128000 },
	{ "claude-mythos-5-1", "Claude Mythos 5.1", 1000000, 128000 },
	{ "claude-sonnet-5", "Claude Sonnet 5", 1000000, 128000 },
	{ "claude-fable-5", "Claude Fable 5", 1000000, 128000 },
	{ "claude-mythos-5", "Claude Mythos 5", 1000000, 128000 },
	{ "claude-opus-5", "Claude Opus 5", 1000000, 128000 },
	{ "claude-opus-4-8", "Claude Opus 4.8", 1000000, 128000 },
	{ "claude-opus-4-7", "Claude Opus 4.7", 1000000, 128000 },
	{ "claude-mythos-preview", "Claude Mythos Preview", 1000000, 128000 },
	{ "claude-opus-4-6", "Claude Opus 4.6", 1000000, 128000 },
	{ "claude-sonnet-4-6", "Claude Sonnet 4.6", 1000000, 128000 },
	{ "claude-haiku-4-5", "Claude Haiku 4.5", 200000, 64000 },
	{ "claude-opus-4-5", "Claude Opus 4.5", 200000, 64000 },
	{ "claude-sonnet-4-5", "Claude Sonnet 4.5", 200000, 64000 },
	{ "claude-opus-4-1", "Claude Opus 4.1", 200000, 32000 },
	{ "claude-sonnet-4", "Claude Sonnet 4", 200000, 64000 },
	{ "claude-sonnet-4-0", "Claude Sonnet 4", 200000, 64000 },
	{ "claude-opus-4", "Claude Opus 4", 200000, 32000 },
	{ "claude-opus-4-0", "Claude Opus 4", 200000, 32000 },
	{ "claude-3-5-haiku", "Claude Haiku 3.5", 200000, 8192 },
	{ "claude-3-haiku", "Claude Haiku 3", 200000, 4096 },
};

const struct cost_model *cost_model_info(const char *model)
{
	char id[128];
	if (!model || normalise(model, id, sizeof id) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof model_table / sizeof *model_table; i++)
		if (strcmp(model_table[i].id, id) == 0)
			return &model_table[i];
	return NULL;
}

long cost_model_max_tokens(const char *model)
{
	const struct cost_model *m = cost_model_info(model);
	return m ? m->max_output : 0;
}
