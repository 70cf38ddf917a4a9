/* Token usage and what it costs: one built-in price table (USD per million
 * tokens, docs/api-notes.md section 9) and the built-in model list. A model without a
 * known price gives "unknown", never a made-up figure. */
#ifndef PWB_COST_H
#define PWB_COST_H

/* Usage counters of one answer; -1 means absent. */
struct usage {
	long input_tokens;
	long output_tokens;
	long cache_creation_input_tokens;
	long cache_read_input_tokens;
	long cache_creation_5m; /* usage.cache_creation.ephemeral_5m_input_tokens */
	long cache_creation_1h; /* usage.cache_creation.ephemeral_1h_input_tokens */
};

void usage_init(struct usage *u); /* all -1 */

struct price {
	double input, cache_write_5m, cache_write_1h, cache_read, output;
};

/* The price of model (an id, alias or dated id) for a prompt of
 * prompt_tokens (tiered prices). Returns 1 and fills out, or 0 when unknown. */
int cost_price(const char *model, long prompt_tokens, struct price *out);

/* Cost in USD of one usage record. Returns 1, or 0 when the price is unknown. */
int cost_of_usage(const char *model, const struct usage *u, double *usd);

/* Estimate before sending: input_tokens of prompt plus max_tokens of output.
 * Returns 1, or 0 when the price is unknown. */
int cost_estimate(const char *model, long input_tokens, long max_tokens, double *usd);

/* The Message Batches API bills half the standard price (api.md section 9). */
#define COST_BATCH_FACTOR 0.5

/* cost_of_usage and cost_estimate at batch prices (COST_BATCH_FACTOR of
 * them). Return 1, or 0 when the price is unknown. */
int cost_of_usage_batch(const char *model, const struct usage *u, double *usd);
int cost_estimate_batch(const char *model, long input_tokens, long max_tokens, double *usd);

/* The built-in model ids, newest first, NULL-terminated (used without a key). */
extern const char *const cost_builtin_models[];

/* What the models overview says about a built-in model. */
struct cost_model {
	const char *id;           /* the family id, e.g. "claude-sonnet-4-6" */
	const char *display_name; /* "Claude Sonnet 4.6" */
	long context;             /* context window in tokens */
	long max_output;          /* the most max_tokens may be */
};

/* The facts of model (an id, alias or dated id), or NULL when it is not
 * built in. Every entry of cost_builtin_models has one. Static storage. */
const struct cost_model *cost_model_info(const char *model);

/* The model's maximum output tokens when known, else 0. */
long cost_model_max_tokens(const char *model);

#endif
