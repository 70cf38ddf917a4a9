/* The Messages API client: one call = one request with its retries, driven
 * by a struct loop (libcurl multi; never curl_easy_perform). Headers:
 * x-api-key, anthropic-version, content-type, anthropic-beta when set,
 * user-agent pwb/VERSION. Retries as the official SDKs (docs/api-notes.md section 8).
 * The key is never logged or put in any error text. */
#ifndef PWB_API_H
#define PWB_API_H

#include <stddef.h>

#include "core/stream.h"

struct loop;
struct api_call;

struct api_config {
	char *base_url;        /* default https://api.anthropic.com, or ANTHROPIC_BASE_URL */
	char *api_key;         /* owned; never printed */
	char *api_version;     /* default PWB_DEFAULT_API_VERSION */
	char *betas;           /* anthropic-beta value, or NULL */
	int max_retries;       /* default 2 */
	long timeout_ms;       /* whole attempt, default 600000 */
	long connect_timeout_ms; /* default 10000 */
	long idle_timeout_ms;  /* no byte on a stream for this long, default 300000 */
	size_t max_response_bytes; /* cap on one response, default 64 MiB */
};

/* Defaults, with base_url from ANTHROPIC_BASE_URL when set, and
 * max_response_bytes from PWB_MAX_RESPONSE_BYTES (1 KiB to 1 GiB) when set. */
void api_config_init(struct api_config *c);
void api_config_done(struct api_config *c);

/* Check a base URL before anything is sent: 0 when usable, else -1 with
 * *why (malloc'd) saying why: malformed (not http:// or https:// with a
 * host), or plain http:// to a host that is not loopback (127.0.0.0/8,
 * ::1, localhost), which would send the key in clear, unless
 * PWB_ALLOW_INSECURE=1. The URL in *why is shown by api_url_display. */
int api_base_url_check(const char *url, char **why);
/* The URL for a message: any user:password@ removed, control characters
 * and other terminal-unsafe text escaped. malloc'd. */
char *api_url_display(const char *url);

enum api_endpoint {
	API_MESSAGES,     /* POST /v1/messages */
	API_COUNT_TOKENS, /* POST /v1/messages/count_tokens */
	API_MODELS,       /* GET /v1/models?limit=1000 */
	API_PATH,         /* the path given to api_call_start_path */
};

enum api_state {
	API_SENDING,        /* connecting, or waiting for the first byte */
	API_STREAMING,      /* a 200 arrived; bytes are flowing */
	API_WAITING_RETRY,  /* see api_call_retry_due */
	API_DONE,
};

/* Why a call failed; decides the exit code of the headless commands. */
enum api_failure {
	API_FAIL_NONE,
	API_FAIL_HTTP,          /* non-retryable status (400, 401, 402, 403, 404, 413, other 4xx): exit 3 */
	API_FAIL_HTTP_RETRYABLE,/* 408, 409, 429, 5xx, after the retries: exit 4 */
	API_FAIL_NETWORK,       /* connection failures: exit 4 */
	API_FAIL_TIMEOUT,       /* exit 4 */
	API_FAIL_STREAM_ERROR,  /* an error event mid-stream: exit 4 */
	API_FAIL_TRUNCATED,     /* the stream ended early or dropped: exit 4 */
	API_FAIL_PROTOCOL,      /* malformed SSE/JSON, unexpected content type, size cap: exit 4 */
	API_FAIL_CANCELED,      /* api_call_cancel: exit 130 */
};

struct api_error {
	char *type;        /* API error.type, or pwb's: network, timeout, protocol, truncated */
	char *message;
	long http_status;  /* 0 when none */
	char *request_id;  /* NULL when none */
};

/* anthropic-ratelimit-* of the last response; -1 / NULL when not sent. */
struct api_ratelimit {
	long requests_limit, requests_remaining;
	long tokens_limit, tokens_remaining;
	long input_tokens_limit, input_tokens_remaining;
	long output_tokens_limit, output_tokens_remaining;
	char *requests_reset, *tokens_reset, *input_tokens_reset, *output_tokens_reset;
};

struct api_call_hooks {
	stream_event_fn on_event; /* stream events as they arrive */
	/* A retry is scheduled: attempt (1-based retries made so far), the
	 * delay, and the error that caused it. */
	void (*on_retry)(void *ud, int attempt, long delay_ms, const struct api_error *why);
	void (*on_done)(void *ud, struct api_call *call); /* once, when API_DONE */
	void *ud;
	/* When set, a 2xx body of any content type is handed over in chunks as
	 * it arrives (nothing buffered, no size cap: the reader decides);
	 * return 0 to go on, nonzero to stop the call with API_FAIL_PROTOCOL.
	 * Error bodies are still buffered and parsed as usual. The idle
	 * timeout applies, as to a stream. */
	int (*on_body)(void *ud, const char *bytes, size_t n);
};

/* Start a call. body (copied) is the JSON body, NULL for GET; stream asks
 * for SSE. Returns the call (never NULL); free it with api_call_free after
 * it is done or canceled. */
struct api_call *api_call_start(struct loop *loop, const struct api_config *cfg,
				enum api_endpoint ep, const char *body, int stream,
				const struct api_call_hooks *hooks);
/* A call to any API path ("/v1/messages/batches/ID", a query allowed):
 * GET when body is NULL, else POST of body (copied; "" for an empty POST).
 * The 2xx answer must be a JSON object unless hooks->on_body takes it.
 * Otherwise as api_call_start (retries, errors, api_call_free). */
struct api_call *api_call_start_path(struct loop *loop, const struct api_config *cfg,
				     const char *path, const char *body,
				     const struct api_call_hooks *hooks);
/* The same taking body (malloc'd, or NULL): a large body (a batch of up to
 * 256 MB) is not held twice. */
struct api_call *api_call_start_path_take(struct loop *loop, const struct api_config *cfg,
					  const char *path, char *body,
					  const struct api_call_hooks *hooks);
/* Cancel at any moment; the partial message is kept and the call is done
 * with API_FAIL_CANCELED. */
void api_call_cancel(struct api_call *c);
/* Detach and free (cancels a running call first, without calling on_done). */
void api_call_free(struct api_call *c);

/* Run the loop until the call is done. */
void api_call_wait(struct loop *loop, struct api_call *c);

enum api_state api_call_state(const struct api_call *c);
enum api_failure api_call_failure(const struct api_call *c);
const struct api_error *api_call_error(const struct api_call *c); /* NULL when none */
long long api_call_retry_due(const struct api_call *c); /* loop_now_ms at which the retry starts */
int api_call_retries(const struct api_call *c);  /* retries made */
long api_call_http_status(const struct api_call *c); /* of the last response, 0 before */
const char *api_call_request_id(const struct api_call *c);
const struct api_ratelimit *api_call_ratelimit(const struct api_call *c);
/* The response assembled (API_MESSAGES). Owned by the call. */
const struct stream *api_call_stream(const struct api_call *c);
/* The raw body of the last response (count_tokens, models, errors). */
const char *api_call_body(const struct api_call *c);

/* A one-line text for users: "HTTP 429 rate_limit_error: message (request-id req_...)". malloc'd. */
char *api_error_describe(const struct api_error *e);

/* Retry policy, exposed for tests. status 0 means a connection error before
 * any response byte. should_retry_header is the x-should-retry value or NULL. */
int api_should_retry(long status, const char *should_retry_header);
/* Delay before retry n (0-based count of retries already made), from the
 * retry-after-ms / retry-after header values (either may be NULL) and a
 * random number in [0,1). now_epoch is the current Unix time, for HTTP dates. */
long api_retry_delay_ms(int n, const char *retry_after_ms, const char *retry_after,
			double random01, long long now_epoch);

#endif
