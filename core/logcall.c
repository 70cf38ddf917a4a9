#include "core/logcall.h"
#include "core/cost.h"
#include "core/preset.h"
#include "core/session.h"
#include "core/stream.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

char *logcall_preset_path(const struct preset *p)
{
	const char *path = preset_path(p);
	return path ? realpath(path, NULL) : NULL;
}

int logcall_version(struct runlog *log, struct preset *p, char out[RUNLOG_VERSION_ID_SIZE])
{
	out[0] = 0;
	if (!log)
		return 0;
	struct session *c = session_clone(preset_session(p));
	str_set(&c->response_json, NULL);
	str_set(&c->tests_json, NULL);
	char *text = preset_emit(c);
	char *abs = logcall_preset_path(p);
	int rc = runlog_record_version(log, abs, c->name, text, out);
	if (rc != 0)
		out[0] = 0;
	free(abs);
	free(text);
	session_free(c);
	return rc;
}

const char *logcall_outcome(enum api_failure f)
{
	switch (f) {
	case API_FAIL_NONE:
		return RUNLOG_OUTCOME_COMPLETE;
	case API_FAIL_CANCELED:
		return "canceled";
	case API_FAIL_TRUNCATED:
		return "truncated";
	default:
		return "error";
	}
}

char *logcall_error_json(enum api_failure f, const struct api_error *e,
			 const char *fallback_message)
{
	if (f == API_FAIL_NONE || f == API_FAIL_CANCELED)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	const char *type = e && e->type ? e->type
		: f == API_FAIL_TRUNCATED ? "truncated"
		: f == API_FAIL_TIMEOUT ? "timeout"
		: f == API_FAIL_PROTOCOL ? "protocol"
		: f == API_FAIL_HTTP || f == API_FAIL_HTTP_RETRYABLE || f == API_FAIL_STREAM_ERROR
		? "api_error" : "network";
	const char *msg = e && e->message ? e->message
		: fallback_message ? fallback_message : "failed";
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddStringToObject(o, "message", msg);
	if (e && e->http_status)
		cJSON_AddNumberToObject(o, "http_status", (double)e->http_status);
	else
		cJSON_AddNullToObject(o, "http_status");
	if (e && e->request_id)
		cJSON_AddStringToObject(o, "request_id", e->request_id);
	else
		cJSON_AddNullToObject(o, "request_id");
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* A usage counter of the JSON object, or -1 when absent. */
static long counter(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e15
		? (long)v->valuedouble : -1;
}

static void usage_from_json(const cJSON *us, struct usage *u)
{
	usage_init(u);
	u->input_tokens = counter(us, "input_tokens");
	u->output_tokens = counter(us, "output_tokens");
	u->cache_creation_input_tokens = counter(us, "cache_creation_input_tokens");
	u->cache_read_input_tokens = counter(us, "cache_read_input_tokens");
	const cJSON *cc = cJSON_GetObjectItemCaseSensitive(us, "cache_creation");
	u->cache_creation_5m = counter(cc, "ephemeral_5m_input_tokens");
	u->cache_creation_1h = counter(cc, "ephemeral_1h_input_tokens");
}

long long logcall_record_message(struct runlog *log, const struct logcall_request *rq,
				 const char *message_json, enum api_failure f,
				 const struct api_error *e, const char *error_text,
				 long latency_ms)
{
	if (!log)
		return 0;
	cJSON *m = message_json ? cJSON_Parse(message_json) : NULL;
	const cJSON *us = cJSON_GetObjectItemCaseSensitive(m, "usage");
	const cJSON *mm = cJSON_GetObjectItemCaseSensitive(m, "model");
	const char *model = cJSON_IsString(mm) && *mm->valuestring ? mm->valuestring : rq->model;
	char *usage_json = cJSON_IsObject(us) ? cJSON_PrintUnformatted(us) : NULL;
	struct usage u;
	usage_from_json(us, &u);
	double usd = 0;
	/* An unknown price is recorded as 0, as pwb eval does. */
	if (!model || !cost_of_usage(model, &u, &usd))
		usd = 0;
	char *error_json = logcall_error_json(f, e, error_text);
	const struct api_config *cfg = rq->cfg;
	struct runlog_answer a = {
		.body = rq->body,
		.api_version = cfg ? cfg->api_version : NULL,
		.betas = cfg ? cfg->betas : NULL,
		.base_url = cfg ? cfg->base_url : NULL,
		.version_id = rq->version_id && *rq->version_id ? rq->version_id : NULL,
		.preset_path = rq->preset_path,
		.command = rq->command,
		.model = model,
		.message_json = message_json,
		.usage_json = usage_json,
		.cost_usd = usd,
		.latency_ms = latency_ms,
		.outcome = logcall_outcome(f),
		.error_json = error_json,
		.cached = 0,
	};
	long long id = runlog_record_answer(log, &a);
	free(error_json);
	if (usage_json)
		cJSON_free(usage_json);
	cJSON_Delete(m);
	return id;
}

long long logcall_record(struct runlog *log, const struct logcall_request *rq,
			 const struct api_call *call, long latency_ms)
{
	if (!log || !call)
		return 0;
	const struct stream *st = api_call_stream(call);
	char *message = st ? stream_message_json(st) : NULL;
	enum api_failure f = api_call_failure(call);
	/* A "successful" call without a whole message is not a complete answer
	 * (and must never answer from the cache). */
	if (f == API_FAIL_NONE && (!st || stream_outcome(st) != STREAM_COMPLETE))
		f = API_FAIL_TRUNCATED;
	long long id = logcall_record_message(log, rq, message, f, api_call_error(call),
					      f == API_FAIL_TRUNCATED ? "the answer is incomplete" : NULL,
					      latency_ms);
	free(message);
	return id;
}
