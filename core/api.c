/* The Messages API client over libcurl's multi interface: one api_call is
 * one request with its retries. Every transfer is driven by the loop;
 * handles are removed and cleaned up only from the loop's reaper or from
 * outside curl callbacks, never inside one. */
#include "core/api.h"
#include "core/buf.h"
#include "core/loop.h"
#include "core/redact.h"
#include "core/session.h"
#include "core/termout.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <curl/curl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_BASE_URL "https://api.anthropic.com"

enum body_mode { MODE_UNDECIDED, MODE_SSE, MODE_BUFFER, MODE_RAW };

struct api_call {
	struct loop *loop;
	struct api_config cfg; /* deep copy */
	enum api_endpoint ep;
	char *body;
	int want_stream;
	struct api_call_hooks hooks;
	struct curl_slist *req_headers;
	char *url;

	CURL *easy;
	char errbuf[CURL_ERROR_SIZE];
	enum api_state state;
	enum api_failure failure;
	struct api_error err;
	int has_err;
	int retries;
	long long retry_due;
	unsigned retry_timer, idle_timer;
	int done;

	/* per attempt */
	long http_status;
	char *reason;         /* status line reason phrase */
	char *content_type;
	char *request_id;
	char *retry_after, *retry_after_ms, *should_retry;
	struct api_ratelimit rl;
	int got_byte;         /* any byte of a response (headers included) */
	enum body_mode mode;
	size_t resp_bytes;
	long long last_byte;  /* real ms of the last byte, for the idle timeout */
	int in_write;         /* inside the curl write callback */
	int abort_failure;    /* a failure we decided inside a callback; 0 none */
	int cancel_pending;
	struct buf raw;       /* body of a non-SSE response */
	struct redact_stream redact; /* of stream text, across deltas */
	struct stream *stream;
};

/* ---- configuration ---------------------------------------------------- */

void api_config_init(struct api_config *c)
{
	memset(c, 0, sizeof *c);
	const char *base = getenv("ANTHROPIC_BASE_URL");
	c->base_url = xstrdup(base && *base ? base : DEFAULT_BASE_URL);
	c->api_version = xstrdup(PWB_DEFAULT_API_VERSION);
	c->max_retries = 2;
	c->timeout_ms = 600000;
	c->connect_timeout_ms = 10000;
	c->idle_timeout_ms = 300000;
	c->max_response_bytes = (size_t)64 << 20;
	/* A lower cap for tests and small machines; never raised past 1 GiB. */
	const char *cap = getenv("PWB_MAX_RESPONSE_BYTES");
	if (cap && *cap) {
		char *end;
		unsigned long long v = strtoull(cap, &end, 10);
		if (*end == '\0' && v >= 1024 && v <= ((unsigned long long)1 << 30))
			c->max_response_bytes = (size_t)v;
	}
}

void api_config_done(struct api_config *c)
{
	free(c->base_url);
	free(c->api_key);
	free(c->api_version);
	free(c->betas);
	memset(c, 0, sizeof *c);
}

char *api_url_display(const char *url)
{
	if (!url)
		return xstrdup("(none)");
	struct buf b;
	buf_init(&b, 0);
	const char *sep = strstr(url, "://");
	const char *auth = sep ? sep + 3 : url;
	size_t auth_len = strcspn(auth, "/?#");
	const char *at = NULL;
	for (const char *q = auth; q < auth + auth_len; q++)
		if (*q == '@')
			at = q; /* the last @ ends the userinfo, as in RFC 3986 */
	if (at) {
		buf_append(&b, url, (size_t)(auth - url));
		buf_puts(&b, at + 1);
	} else {
		buf_puts(&b, url);
	}
	char *shown = termout_escape(buf_str(&b), b.len, NULL);
	buf_done(&b);
	return shown;
}

static int host_is_loopback(const char *host)
{
	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
	    strcmp(host, "::1") == 0)
		return 1;
	unsigned a, b2, c2, d;
	char extra;
	return sscanf(host, "%u.%u.%u.%u%c", &a, &b2, &c2, &d, &extra) == 4 && a == 127 &&
	       b2 < 256 && c2 < 256 && d < 256;
}

int api_base_url_check(const char *url, char **why)
{
	*why = NULL;
	int bad_char = 0;
	for (const unsigned char *p = (const unsigned char *)url; p && *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			bad_char = 1;
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int rc = -1;
	if (!url || !*url || bad_char || !u ||
	    curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host || !*host ||
	    (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) ||
	    strncasecmp(url, scheme, strlen(scheme)) != 0) {
		char *shown = api_url_display(url);
		*why = xasprintf("ANTHROPIC_BASE_URL '%s' is not a valid http:// or https:// URL "
				 "with a host", shown);
		free(shown);
	} else if (strcasecmp(scheme, "http") == 0 && !host_is_loopback(host) &&
		   !str_eq(getenv("PWB_ALLOW_INSECURE"), "1")) {
		char *shown = api_url_display(url);
		*why = xasprintf("ANTHROPIC_BASE_URL '%s' is plain http:// to a host that is not "
				 "loopback: the API key would cross the network in clear; use https://, "
				 "or set PWB_ALLOW_INSECURE=1 to allow it", shown);
		free(shown);
	} else {
		rc = 0;
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

static void config_copy(struct api_config *dst, const struct api_config *src)
{
	*dst = *src;
	dst->base_url = xstrdup(src->base_url ? src->base_url : DEFAULT_BASE_URL);
	dst->api_key = xstrdup(src->api_key);
	dst->api_version = xstrdup(src->api_version ? src->api_version : PWB_DEFAULT_API_VERSION);
	dst->betas = xstrdup(src->betas);
}

/* ---- retry policy (the Python SDK's rules) ----------------------------- */

int api_should_retry(long status, const char *h)
{
	if (h && strcmp(h, "true") == 0)
		return 1;
	if (h && strcmp(h, "false") == 0)
		return 0;
	if (status == 0)
		return 1;
	return status == 408 || status == 409 || status == 429 || status >= 500;
}

/* A float as Python's float() reads it (surrounding spaces allowed). */
static int parse_float(const char *s, double *out)
{
	if (!s)
		return 0;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return 0;
	char *end;
	double v = strtod(s, &end);
	if (end == s)
		return 0;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return 0;
	*out = v;
	return 1;
}

long api_retry_delay_ms(int n, const char *retry_after_ms, const char *retry_after,
			double random01, long long now_epoch)
{
	double secs;
	int have = 0;
	if (parse_float(retry_after_ms, &secs)) {
		secs /= 1000.0;
		have = 1;
	} else if (parse_float(retry_after, &secs)) {
		have = 1;
	} else if (retry_after) {
		time_t when = curl_getdate(retry_after, NULL);
		if (when != (time_t)-1) {
			secs = (double)((long long)when - now_epoch);
			have = 1;
		}
	}
	if (have && secs > 0 && secs <= 60)
		return (long)ceil(secs * 1000.0);
	if (n < 0)
		n = 0;
	if (n > 1000)
		n = 1000;
	double base = n >= 5 ? 8.0 : 0.5 * (double)(1 << n);
	if (base > 8.0)
		base = 8.0;
	double d = base * (1.0 - 0.25 * random01);
	if (d < 0)
		d = 0;
	return (long)(d * 1000.0);
}

/* ---- errors ------------------------------------------------------------ */

static void error_clear(struct api_error *e)
{
	free(e->type);
	free(e->message);
	free(e->request_id);
	memset(e, 0, sizeof *e);
}

/* A whole body (an error, a non-stream Message, count_tokens, models)
 * reaches every reader redacted: its model ids and texts included. */
static void redact_body(struct api_call *c)
{
	const char *key = c->cfg.api_key;
	if (!key || !*key || !c->raw.len || !redact_holds_key(c->raw.data, c->raw.len, key))
		return;
	size_t n;
	char *r = redact_key_n(c->raw.data, c->raw.len, key, &n);
	buf_clear(&c->raw);
	buf_append(&c->raw, r, n);
	free(r);
}

static void set_error(struct api_call *c, const char *type, long status, const char *request_id,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void set_error(struct api_call *c, const char *type, long status, const char *request_id,
		      const char *fmt, ...)
{
	error_clear(&c->err);
	char raw[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	/* The key never reaches an error text, whatever echoed it. */
	c->err.type = redact_key(type, c->cfg.api_key);
	c->err.message = redact_key(raw, c->cfg.api_key);
	c->err.http_status = status;
	c->err.request_id = redact_key(request_id, c->cfg.api_key);
	c->has_err = 1;
}

static const char *status_error_type(long s)
{
	switch (s) {
	case 400: return "invalid_request_error";
	case 401: return "authentication_error";
	case 402: return "billing_error";
	case 403: return "permission_error";
	case 404: return "not_found_error";
	case 408: return "request_timeout";
	case 409: return "conflict_error";
	case 413: return "request_too_large";
	case 429: return "rate_limit_error";
	case 500: return "api_error";
	case 504: return "timeout_error";
	case 529: return "overloaded_error";
	default: return s >= 500 ? "api_error" : "http_error";
	}
}

/* A printable one-line excerpt of a body that was not JSON. */
static void excerpt(const char *s, size_t n, char *out, size_t outn)
{
	size_t j = 0;
	int space = 0;
	for (size_t i = 0; i < n && j + 4 < outn; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '<') { /* skip HTML tags */
			while (i < n && s[i] != '>')
				i++;
			space = 1;
			continue;
		}
		if (isspace(ch) || ch < 32 || ch == 127) {
			space = 1;
			continue;
		}
		if (space && j > 0)
			out[j++] = ' ';
		space = 0;
		out[j++] = (char)ch;
	}
	if (j + 4 >= outn)
		memcpy(out + j, "...", 3), j += 3;
	out[j] = '\0';
}

/* An error response: the API's JSON error body, or something useful from
 * the status when the body is not JSON. */
static void error_from_response(struct api_call *c)
{
	long st = c->http_status;
	const char *body = buf_str(&c->raw);
	cJSON *j = cJSON_ParseWithLength(body, c->raw.len);
	const cJSON *e = j ? cJSON_GetObjectItemCaseSensitive(j, "error") : NULL;
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
	const cJSON *rid = j ? cJSON_GetObjectItemCaseSensitive(j, "request_id") : NULL;
	const char *req = c->request_id ? c->request_id : cJSON_IsString(rid) ? rid->valuestring : NULL;
	if (cJSON_IsString(type)) {
		set_error(c, type->valuestring, st, req, "%s",
			  cJSON_IsString(msg) ? msg->valuestring : "(no message)");
	} else {
		char ex[200];
		excerpt(body, c->raw.len, ex, sizeof ex);
		const char *reason = c->reason && *c->reason ? c->reason : "";
		if (*ex)
			set_error(c, status_error_type(st), st, req,
				  "HTTP %ld%s%s (the body is not an API error: %s)", st,
				  *reason ? " " : "", reason, ex);
		else
			set_error(c, status_error_type(st), st, req, "HTTP %ld%s%s with an empty body",
				  st, *reason ? " " : "", reason);
	}
	cJSON_Delete(j);
}

char *api_error_describe(const struct api_error *e)
{
	if (!e)
		return xstrdup("unknown error");
	struct buf b;
	buf_init(&b, 0);
	if (e->http_status)
		buf_printf(&b, "HTTP %ld ", e->http_status);
	buf_printf(&b, "%s: %s", e->type ? e->type : "error", e->message ? e->message : "");
	if (e->request_id)
		buf_printf(&b, " (request-id %s)", e->request_id);
	return buf_take(&b);
}

/* ---- per-attempt state ------------------------------------------------- */

static void ratelimit_reset(struct api_ratelimit *r)
{
	free(r->requests_reset);
	free(r->tokens_reset);
	free(r->input_tokens_reset);
	free(r->output_tokens_reset);
	r->requests_limit = r->requests_remaining = -1;
	r->tokens_limit = r->tokens_remaining = -1;
	r->input_tokens_limit = r->input_tokens_remaining = -1;
	r->output_tokens_limit = r->output_tokens_remaining = -1;
	r->requests_reset = r->tokens_reset = r->input_tokens_reset = r->output_tokens_reset = NULL;
}

static void response_reset(struct api_call *c)
{
	c->http_status = 0;
	str_set(&c->reason, NULL);
	str_set(&c->content_type, NULL);
	str_set(&c->request_id, NULL);
	str_set(&c->retry_after, NULL);
	str_set(&c->retry_after_ms, NULL);
	str_set(&c->should_retry, NULL);
	ratelimit_reset(&c->rl);
	c->mode = MODE_UNDECIDED;
	c->resp_bytes = 0;
	buf_clear(&c->raw);
}

/* ---- curl callbacks ---------------------------------------------------- */

static void rl_header(struct api_ratelimit *r, const char *name, const char *v)
{
	static const struct {
		const char *suffix;
		size_t lim, rem, reset;
	} groups[] = {
		{ "requests-", offsetof(struct api_ratelimit, requests_limit),
		  offsetof(struct api_ratelimit, requests_remaining),
		  offsetof(struct api_ratelimit, requests_reset) },
		{ "tokens-", offsetof(struct api_ratelimit, tokens_limit),
		  offsetof(struct api_ratelimit, tokens_remaining),
		  offsetof(struct api_ratelimit, tokens_reset) },
		{ "input-tokens-", offsetof(struct api_ratelimit, input_tokens_limit),
		  offsetof(struct api_ratelimit, input_tokens_remaining),
		  offsetof(struct api_ratelimit, input_tokens_reset) },
		{ "output-tokens-", offsetof(struct api_ratelimit, output_tokens_limit),
		  offsetof(struct api_ratelimit, output_tokens_remaining),
		  offsetof(struct api_ratelimit, output_tokens_reset) },
	};
	const char *rest = name + strlen("anthropic-ratelimit-");
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		size_t gl = strlen(groups[i].suffix);
		if (strncmp(rest, groups[i].suffix, gl) != 0)
			continue;
		const char *field = rest + gl;
		char *end;
		long n = strtol(v, &end, 10);
		if (strcmp(field, "limit") == 0 && end != v)
			*(long *)((char *)r + groups[i].lim) = n;
		else if (strcmp(field, "remaining") == 0 && end != v)
			*(long *)((char *)r + groups[i].rem) = n;
		else if (strcmp(field, "reset") == 0)
			str_set((char **)((char *)r + groups[i].reset), v);
		return;
	}
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct api_call *c = ud;
	size_t n = size * nmemb;
	c->got_byte = 1;
	c->last_byte = loop_now_ms(NULL);
	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* A new response (after a 100 Continue or a redirect): start over. */
		response_reset(c);
		const char *sp = memchr(p, ' ', n);
		if (sp) {
			c->http_status = strtol(sp + 1, NULL, 10);
			const char *r = memchr(sp + 1, ' ', n - (size_t)(sp + 1 - p));
			if (r) {
				size_t rl = n - (size_t)(r + 1 - p);
				while (rl && (r[1 + rl - 1] == '\r' || r[1 + rl - 1] == '\n'))
					rl--;
				c->reason = xstrndup(r + 1, rl);
				redact_in_place(&c->reason, c->cfg.api_key);
			}
		}
		return n;
	}
	const char *colon = memchr(p, ':', n);
	if (!colon || colon == p)
		return n;
	char name[128];
	size_t nl = (size_t)(colon - p);
	if (nl >= sizeof name)
		return n;
	for (size_t i = 0; i < nl; i++)
		name[i] = (char)tolower((unsigned char)p[i]);
	name[nl] = '\0';
	const char *v = colon + 1, *e = p + n;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
		e--;
	/* Every header value the caller may show comes redacted. */
	char *value = xstrndup(v, (size_t)(e - v));
	redact_in_place(&value, c->cfg.api_key);
	char **slot = NULL;
	if (strcmp(name, "content-type") == 0)
		slot = &c->content_type;
	else if (strcmp(name, "request-id") == 0)
		slot = &c->request_id;
	else if (strcmp(name, "retry-after") == 0)
		slot = &c->retry_after;
	else if (strcmp(name, "retry-after-ms") == 0)
		slot = &c->retry_after_ms;
	else if (strcmp(name, "x-should-retry") == 0)
		slot = &c->should_retry;
	else if (strncmp(name, "anthropic-ratelimit-", 20) == 0)
		rl_header(&c->rl, name, value);
	if (slot) {
		free(*slot);
		*slot = value;
	} else {
		free(value);
	}
	return n;
}

static int is_2xx(long s) { return s >= 200 && s < 300; }

/* The media type of content-type, without parameters, matches want. */
static int ctype_is(const char *ct, const char *want)
{
	if (!ct)
		return 0;
	size_t wl = strlen(want);
	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, want, wl) == 0 && (ct[wl] == '\0' || ct[wl] == ';' || ct[wl] == ' ');
}

/* Decide how the body is taken, at the first byte or at the end. Returns
 * 0, or a failure (protocol) for a 2xx of an unexpected content type. */
static int decide_mode(struct api_call *c)
{
	if (c->mode != MODE_UNDECIDED)
		return 0;
	if (!is_2xx(c->http_status)) {
		c->mode = MODE_BUFFER;
		return 0;
	}
	if (c->hooks.on_body) {
		c->mode = MODE_RAW;
		c->state = API_STREAMING;
		return 0;
	}
	if (c->ep == API_MESSAGES && ctype_is(c->content_type, "text/event-stream")) {
		c->mode = MODE_SSE;
		c->state = API_STREAMING;
		return 0;
	}
	if (ctype_is(c->content_type, "application/json")) {
		c->mode = MODE_BUFFER;
		c->state = API_STREAMING;
		return 0;
	}
	set_error(c, "protocol", c->http_status, c->request_id,
		  "unexpected content type '%s' on HTTP %ld (expected %s)",
		  c->content_type ? c->content_type : "(none)", c->http_status,
		  c->ep == API_MESSAGES && c->want_stream ? "text/event-stream" : "application/json");
	return API_FAIL_PROTOCOL;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
	struct api_call *c = ud;
	size_t n = size * nmemb;
	c->got_byte = 1;
	c->last_byte = loop_now_ms(NULL);
	if (c->cancel_pending)
		return 0;
	int f = decide_mode(c);
	if (f) {
		c->abort_failure = f;
		return 0;
	}
	if (c->mode == MODE_RAW) {
		c->in_write = 1; /* the reader may cancel the call */
		int refused = c->hooks.on_body(c->hooks.ud, p, n);
		c->in_write = 0;
		if (c->cancel_pending)
			return 0;
		if (refused) {
			set_error(c, "protocol", 0, c->request_id,
				  "the response body was refused by its reader");
			c->abort_failure = API_FAIL_PROTOCOL;
			return 0;
		}
		return n;
	}
	c->resp_bytes += n;
	if (c->cfg.max_response_bytes && c->resp_bytes > c->cfg.max_response_bytes) {
		set_error(c, "protocol", is_2xx(c->http_status) ? 0 : c->http_status, c->request_id,
			  "response_too_large: the response passed the size cap of %zu bytes",
			  c->cfg.max_response_bytes);
		if (c->mode == MODE_SSE)
			stream_fail(c->stream, STREAM_ERROR, "response_too_large", c->err.message);
		c->abort_failure = API_FAIL_PROTOCOL;
		return 0;
	}
	if (c->mode == MODE_BUFFER) {
		if (buf_append(&c->raw, p, n) != 0) {
			c->abort_failure = API_FAIL_PROTOCOL;
			return 0;
		}
		return n;
	}
	c->in_write = 1;
	int r = stream_feed(c->stream, p, n);
	c->in_write = 0;
	if (c->cancel_pending)
		return 0;
	if (r != 0 && stream_outcome(c->stream) != STREAM_COMPLETE) {
		/* An error event or malformed data: the stream has ended. */
		c->abort_failure = -1;
		return 0;
	}
	return n;
}

/* ---- attempts ---------------------------------------------------------- */

static void reaper(void *ud, void *easy, int code);
static void start_attempt(struct api_call *c);

static void stop_timers(struct api_call *c)
{
	if (c->retry_timer)
		loop_cancel_timer(c->loop, c->retry_timer);
	if (c->idle_timer)
		loop_cancel_timer(c->loop, c->idle_timer);
	c->retry_timer = c->idle_timer = 0;
}

static void detach_easy(struct api_call *c)
{
	if (!c->easy)
		return;
	curl_multi_remove_handle(loop_curl_multi(c->loop), c->easy);
	curl_easy_cleanup(c->easy);
	c->easy = NULL;
}

static void finish(struct api_call *c, enum api_failure f)
{
	if (c->done) /* a cancel from an event hook already finished it */
		return;
	stop_timers(c);
	detach_easy(c);
	c->failure = f;
	c->state = API_DONE;
	if (f == API_FAIL_NONE) {
		error_clear(&c->err);
		c->has_err = 0;
	}
	c->done = 1;
	if (c->hooks.on_done)
		c->hooks.on_done(c->hooks.ud, c);
}

static void retry_timer_fn(void *ud)
{
	struct api_call *c = ud;
	c->retry_timer = 0;
	start_attempt(c);
}

/* A retryable failure before any 200 stream: retry if allowed, else give up. */
static void retry_or_finish(struct api_call *c, enum api_failure f)
{
	if (c->retries >= c->cfg.max_retries) {
		if (c->retries > 0 && c->err.message) {
			char *m = xasprintf("%s (gave up after %d %s)", c->err.message, c->retries,
					    c->retries == 1 ? "retry" : "retries");
			free(c->err.message);
			c->err.message = m;
		}
		finish(c, f);
		return;
	}
	double r = (double)rand() / ((double)RAND_MAX + 1.0);
	long delay = api_retry_delay_ms(c->retries, c->retry_after_ms, c->retry_after, r,
					(long long)time(NULL));
	c->retries++;
	c->state = API_WAITING_RETRY;
	c->retry_due = loop_now_ms(c->loop) + delay;
	c->retry_timer = loop_add_timer(c->loop, delay, retry_timer_fn, c);
	if (c->hooks.on_retry)
		c->hooks.on_retry(c->hooks.ud, c->retries, delay, &c->err);
}

static void idle_timer_fn(void *ud)
{
	struct api_call *c = ud;
	c->idle_timer = 0;
	if (!c->easy)
		return;
	long long now = loop_now_ms(NULL), quiet = now - c->last_byte;
	if (quiet < c->cfg.idle_timeout_ms) {
		c->idle_timer = loop_add_timer(c->loop, (long)(c->cfg.idle_timeout_ms - quiet),
					       idle_timer_fn, c);
		return;
	}
	detach_easy(c);
	set_error(c, "timeout", c->http_status, c->request_id,
		  "no data from the server for %ld ms", c->cfg.idle_timeout_ms);
	if (c->mode == MODE_SSE) {
		stream_fail(c->stream, STREAM_TRUNCATED, "timeout", c->err.message);
		finish(c, API_FAIL_TIMEOUT);
	} else if (!c->got_byte) {
		retry_or_finish(c, API_FAIL_TIMEOUT);
	} else {
		finish(c, API_FAIL_TIMEOUT);
	}
}

/* Stream events to the caller, none after a cancel (the rest of the bytes
 * already handed to the stream are still assembled). */
static void forward_event(void *ud, const struct stream_event *ev)
{
	struct api_call *c = ud;
	if (c->cancel_pending || c->done || !c->hooks.on_event)
		return;
	if (!ev->text || !c->cfg.api_key) {
		c->hooks.on_event(c->hooks.ud, ev);
		return;
	}
	if (!ev->len) {
		/* a NUL-terminated text (an error event's type) */
		struct stream_event copy = *ev;
		char *t = redact_key(ev->text, c->cfg.api_key);
		copy.text = t;
		c->hooks.on_event(c->hooks.ud, &copy);
		free(t);
		return;
	}
	/* Stream text reaches the caller redacted, each delta whole (nothing
	 * held back: the event is the delta). A key whose redaction reached
	 * the end of a delta goes on being eaten in the next one; a needle cut
	 * between two deltas is for callers that can hold text back
	 * (redact_stream_feed), or that redact the assembled message. */
	struct stream_event copy = *ev;
	struct buf text;
	buf_init(&text, 0);
	redact_stream_feed(&c->redact, ev->text, ev->len, &text);
	redact_stream_flush(&c->redact, &text);
	copy.text = text.data ? text.data : "";
	copy.len = text.len;
	c->hooks.on_event(c->hooks.ud, &copy);
	buf_done(&text);
}

/* The path of the API_PATH call being set up: api_call_start_path hands
 * it to its one synchronous api_call_start, which copies it into the URL. */
static const char *start_path = "/";

static const char *endpoint_path(enum api_endpoint ep)
{
	switch (ep) {
	case API_MESSAGES: return "/v1/messages";
	case API_COUNT_TOKENS: return "/v1/messages/count_tokens";
	case API_MODELS: return "/v1/models?limit=1000";
	case API_PATH: return start_path;
	}
	return "/v1/messages";
}

static void start_attempt(struct api_call *c)
{
	response_reset(c);
	c->got_byte = 0;
	c->abort_failure = 0;
	stream_free(c->stream);
	c->stream = NULL;
	if (c->ep == API_MESSAGES) {
		c->stream = stream_new(c->cfg.max_response_bytes);
		stream_set_listener(c->stream, forward_event, c);
	}
	c->state = API_SENDING;
	c->errbuf[0] = '\0';
	CURL *e = curl_easy_init();
	if (!e)
		abort();
	c->easy = e;
	curl_easy_setopt(e, CURLOPT_URL, c->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, c);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->req_headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "pwb/" PWB_VERSION);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->cfg.connect_timeout_ms);
	if (c->cfg.timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->cfg.timeout_ms);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	/* A long stream arrives in fewer, larger reads (as the curl tool does). */
	curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 256L * 1024);
	if (c->body) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(c->body));
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->body);
	} else {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	}
	loop_set_reaper(c->loop, reaper, c->loop);
	c->last_byte = loop_now_ms(NULL);
	if ((c->want_stream || c->hooks.on_body) && c->cfg.idle_timeout_ms > 0)
		c->idle_timer = loop_add_timer(c->loop, c->cfg.idle_timeout_ms, idle_timer_fn, c);
	curl_multi_add_handle(loop_curl_multi(c->loop), e);
}

/* The stream's own end state decides the failure of a 200 SSE response. */
static enum api_failure stream_failure(struct api_call *c)
{
	struct stream *s = c->stream;
	switch (stream_outcome(s)) {
	case STREAM_COMPLETE:
		return API_FAIL_NONE;
	case STREAM_CANCELED:
		return API_FAIL_CANCELED;
	case STREAM_TRUNCATED: {
		const char *t = stream_error_type(s);
		set_error(c, t ? t : "truncated", 0, c->request_id, "%s",
			  stream_error_message(s) ? stream_error_message(s)
						  : "the stream ended before message_stop");
		return t && strcmp(t, "timeout") == 0 ? API_FAIL_TIMEOUT : API_FAIL_TRUNCATED;
	}
	default: {
		const char *t = stream_error_type(s);
		const char *m = stream_error_message(s);
		if (t && strcmp(t, "response_too_large") == 0) {
			set_error(c, "protocol", 0, c->request_id, "response_too_large: %s",
				  m ? m : "the response passed the size cap");
			return API_FAIL_PROTOCOL;
		}
		set_error(c, t ? t : "protocol", 0, c->request_id, "%s", m ? m : "stream error");
		if (!t || strcmp(t, "protocol") == 0)
			return API_FAIL_PROTOCOL;
		return API_FAIL_STREAM_ERROR;
	}
	}
}

static void transfer_done(struct api_call *c, CURLcode code)
{
	if (c->cancel_pending) {
		if (c->stream)
			stream_cancel(c->stream);
		finish(c, API_FAIL_CANCELED);
		return;
	}
	if (c->abort_failure > 0) { /* decided in a callback: type cap, content type */
		finish(c, (enum api_failure)c->abort_failure);
		return;
	}
	if (c->abort_failure < 0) { /* the stream ended itself with an error */
		finish(c, stream_failure(c));
		return;
	}
	if (code != CURLE_OK) {
		int timeout = code == CURLE_OPERATION_TIMEDOUT;
		const char *detail = c->errbuf[0] ? c->errbuf : curl_easy_strerror(code);
		if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
			/* A bad base URL will not get better by retrying. */
			set_error(c, "network", 0, NULL, "%s (the URL is %s)", detail, c->url);
			finish(c, API_FAIL_NETWORK);
			return;
		}
		if (!c->got_byte) {
			set_error(c, timeout ? "timeout" : "network", 0, NULL, "%s", detail);
			retry_or_finish(c, timeout ? API_FAIL_TIMEOUT : API_FAIL_NETWORK);
			return;
		}
		if (c->mode == MODE_SSE) {
			set_error(c, timeout ? "timeout" : "truncated", 0, c->request_id,
				  "the stream was cut off: %s", detail);
			stream_fail(c->stream, STREAM_TRUNCATED, c->err.type, c->err.message);
			finish(c, timeout ? API_FAIL_TIMEOUT : API_FAIL_TRUNCATED);
			return;
		}
		set_error(c, timeout ? "timeout" : "network", c->http_status, c->request_id,
			  "the connection failed during the response: %s", detail);
		finish(c, timeout ? API_FAIL_TIMEOUT : API_FAIL_NETWORK);
		return;
	}
	/* The whole response arrived. */
	int f = decide_mode(c);
	if (f) {
		finish(c, (enum api_failure)f);
		return;
	}
	if (c->mode == MODE_BUFFER)
		redact_body(c);
	if (!is_2xx(c->http_status)) {
		error_from_response(c);
		long st = c->http_status;
		enum api_failure kind = (st == 408 || st == 409 || st == 429 || st >= 500)
			? API_FAIL_HTTP_RETRYABLE : API_FAIL_HTTP;
		if (api_should_retry(st, c->should_retry))
			retry_or_finish(c, kind);
		else
			finish(c, kind);
		return;
	}
	if (c->mode == MODE_SSE) {
		stream_end(c->stream);
		finish(c, stream_failure(c));
		return;
	}
	if (c->ep == API_MESSAGES) {
		if (stream_take_json(c->stream, buf_str(&c->raw), c->raw.len) != 0) {
			set_error(c, "protocol", c->http_status, c->request_id,
				  "the response is not a valid Message: %s",
				  stream_error_message(c->stream) ? stream_error_message(c->stream)
								  : "malformed JSON");
			finish(c, API_FAIL_PROTOCOL);
			return;
		}
		finish(c, API_FAIL_NONE);
		return;
	}
	if (c->mode == MODE_RAW) {
		finish(c, API_FAIL_NONE);
		return;
	}
	cJSON *j = cJSON_ParseWithLength(buf_str(&c->raw), c->raw.len);
	int okjson = cJSON_IsObject(j);
	cJSON_Delete(j);
	if (!okjson) {
		set_error(c, "protocol", c->http_status, c->request_id,
			  "the response is not a JSON object");
		finish(c, API_FAIL_PROTOCOL);
		return;
	}
	finish(c, API_FAIL_NONE);
}

static void reaper(void *ud, void *easy, int code)
{
	struct api_call *c = NULL;
	curl_easy_getinfo((CURL *)easy, CURLINFO_PRIVATE, (char **)&c);
	if (!c || c->easy != easy) {
		curl_multi_remove_handle(loop_curl_multi(ud), easy);
		return;
	}
	if (c->idle_timer) {
		loop_cancel_timer(c->loop, c->idle_timer);
		c->idle_timer = 0;
	}
	/* Read what is needed from the handle and let it go first: on_done,
	 * called from transfer_done, may free the call. */
	if (!c->http_status)
		curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &c->http_status);
	detach_easy(c);
	transfer_done(c, (CURLcode)code);
}

/* ---- public ------------------------------------------------------------ */

static int has_ctl(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 32 || *s == 127)
			return 1;
	return 0;
}

static void refuse_timer_fn(void *ud)
{
	struct api_call *c = ud;
	c->retry_timer = 0;
	finish(c, API_FAIL_PROTOCOL);
}

/* A call that owns body (malloc'd, or NULL). */
static struct api_call *call_start(struct loop *loop, const struct api_config *cfg,
				   enum api_endpoint ep, char *body, int stream,
				   const struct api_call_hooks *hooks)
{
	struct api_call *c = xcalloc(1, sizeof *c);
	c->loop = loop;
	config_copy(&c->cfg, cfg);
	c->ep = ep;
	c->body = body;
	c->want_stream = ep == API_MESSAGES && stream;
	if (hooks)
		c->hooks = *hooks;
	buf_init(&c->raw, c->cfg.max_response_bytes);
	redact_stream_init(&c->redact, c->cfg.api_key);
	ratelimit_reset(&c->rl);
	static int seeded;
	if (!seeded) {
		srand((unsigned)time(NULL) ^ (unsigned)loop_now_ms(NULL));
		seeded = 1;
	}

	const char *base = c->cfg.base_url;
	size_t bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	c->url = xasprintf("%.*s%s", (int)bl, base, endpoint_path(ep));

	struct curl_slist *h = NULL;
	char *line;
	if (c->cfg.api_key) {
		line = xasprintf("x-api-key: %s", c->cfg.api_key);
		h = curl_slist_append(h, line);
		free(line);
	}
	line = xasprintf("anthropic-version: %s", c->cfg.api_version);
	h = curl_slist_append(h, line);
	free(line);
	if (c->cfg.betas && *c->cfg.betas) {
		line = xasprintf("anthropic-beta: %s", c->cfg.betas);
		h = curl_slist_append(h, line);
		free(line);
	}
	if (c->body)
		h = curl_slist_append(h, "content-type: application/json");
	h = curl_slist_append(h, c->want_stream ? "accept: text/event-stream"
				 : c->hooks.on_body ? "accept: application/binary" /* as the SDKs ask for results */
				 : "accept: application/json");
	h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip for big bodies */
	c->req_headers = h;

	char *bad_url = NULL;
	if (has_ctl(c->cfg.api_key) || has_ctl(c->cfg.api_version) || has_ctl(c->cfg.betas) ||
	    api_base_url_check(c->cfg.base_url, &bad_url) != 0) {
		/* A header value with a line break would inject headers, and a
		 * bad base URL would send the key where it must not go: refuse,
		 * from the loop so that on_done never runs before we return.
		 * The commands check both first (validation, api_base_url_check). */
		if (ep == API_MESSAGES)
			c->stream = stream_new(c->cfg.max_response_bytes);
		set_error(c, "protocol", 0, NULL, "%s",
			  bad_url ? bad_url
				  : "the API key, version or beta names contain a control character");
		free(bad_url);
		c->retry_timer = loop_add_timer(loop, 0, refuse_timer_fn, c);
		return c;
	}
	start_attempt(c);
	return c;
}

struct api_call *api_call_start(struct loop *loop, const struct api_config *cfg,
				enum api_endpoint ep, const char *body, int stream,
				const struct api_call_hooks *hooks)
{
	return call_start(loop, cfg, ep, ep == API_MODELS ? NULL : xstrdup(body), stream, hooks);
}

struct api_call *api_call_start_path(struct loop *loop, const struct api_config *cfg,
				     const char *path, const char *body,
				     const struct api_call_hooks *hooks)
{
	return api_call_start_path_take(loop, cfg, path, xstrdup(body), hooks);
}

struct api_call *api_call_start_path_take(struct loop *loop, const struct api_config *cfg,
					  const char *path, char *body,
					  const struct api_call_hooks *hooks)
{
	start_path = path && *path == '/' ? path : "/";
	struct api_call *c = call_start(loop, cfg, API_PATH, body, 0, hooks);
	start_path = "/";
	return c;
}

void api_call_cancel(struct api_call *c)
{
	if (!c || c->state == API_DONE)
		return;
	if (c->in_write) {
		/* Inside our own write callback: finish from the reaper. */
		c->cancel_pending = 1;
		return;
	}
	if (c->stream)
		stream_cancel(c->stream);
	error_clear(&c->err);
	c->has_err = 0;
	finish(c, API_FAIL_CANCELED);
}

void api_call_free(struct api_call *c)
{
	if (!c)
		return;
	c->hooks.on_done = NULL;
	if (c->state != API_DONE) {
		c->in_write = 0;
		api_call_cancel(c);
	}
	stop_timers(c);
	detach_easy(c);
	curl_slist_free_all(c->req_headers);
	free(c->url);
	free(c->body);
	api_config_done(&c->cfg);
	error_clear(&c->err);
	response_reset(c);
	buf_done(&c->raw);
	redact_stream_done(&c->redact);
	stream_free(c->stream);
	free(c);
}

void api_call_wait(struct loop *loop, struct api_call *c)
{
	while (c->state != API_DONE)
		loop_once(loop, 1000);
}

enum api_state api_call_state(const struct api_call *c) { return c->state; }
enum api_failure api_call_failure(const struct api_call *c) { return c->failure; }
const struct api_error *api_call_error(const struct api_call *c) { return c->has_err ? &c->err : NULL; }
long long api_call_retry_due(const struct api_call *c) { return c->retry_due; }
int api_call_retries(const struct api_call *c) { return c->retries; }
long api_call_http_status(const struct api_call *c) { return c->http_status; }
const char *api_call_request_id(const struct api_call *c) { return c->request_id; }
const struct api_ratelimit *api_call_ratelimit(const struct api_call *c) { return &c->rl; }
const struct stream *api_call_stream(const struct api_call *c) { return c->stream; }
const char *api_call_body(const struct api_call *c) { return buf_str(&c->raw); }
