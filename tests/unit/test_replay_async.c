/* The asynchronous replay on its own loop: one turn at a time, advanced
 * only by loop passes the test makes; on_turn in order and on_done once;
 * cancel before the first request and while a request is in flight; free
 * while running; the blocking replay_run over it. The "server" is a
 * loopback socket that accepts connections into its backlog and never
 * answers, so a request stays in flight until it is canceled. No network. */
#include "tests/unit/tap.h"

#include "core/api.h"
#include "core/loop.h"
#include "core/replay.h"
#include "core/session.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct seen {
	long turns[8];
	int nturns;
	int done;
	struct replay *done_with;
};

static void on_turn(void *ud, const struct replay_turn *t)
{
	struct seen *s = ud;
	if (s->nturns < 8)
		s->turns[s->nturns] = t->index;
	s->nturns++;
}

static void on_done(void *ud, struct replay *r)
{
	struct seen *s = ud;
	s->done++;
	s->done_with = r;
}

/* Two assistant turns and a recorded response: three turns with all_turns. */
static struct session *three_turns(const char *model)
{
	struct session *s = session_new();
	if (model)
		str_set(&s->model, model);
	str_set(&s->max_tokens, "16");
	session_add_message(s, "user", "q1", NULL);
	session_add_message(s, "assistant", "a1", NULL);
	session_add_message(s, "user", "q2", NULL);
	session_add_message(s, "assistant", "a2", NULL);
	session_add_message(s, "user", "q3", NULL);
	str_set(&s->response_json, "{\"content\":[{\"type\":\"text\",\"text\":\"r\"}]}");
	return s;
}

/* A listening socket nobody accepts from: connections wait in the backlog. */
static int silent_server(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof sa;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 8) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		return -1;
	*port = ntohs(sa.sin_port);
	return fd;
}

static void config(struct api_config *cfg, int port)
{
	api_config_init(cfg);
	free(cfg->base_url);
	cfg->base_url = xasprintf("http://127.0.0.1:%d", port);
	str_set(&cfg->api_key, "sk-ant-test-not-a-real-key");
	cfg->max_retries = 0;
}

static void test_turns_in_order_without_network(void)
{
	/* no model: every request fails to build, so each turn ends at once,
	 * still one per loop pass and never inside replay_start */
	struct loop *L = loop_new();
	struct api_config cfg;
	config(&cfg, 1);
	struct session *s = three_turns(NULL);
	struct seen seen = { 0 };
	struct replay_hooks h = { .on_turn = on_turn, .on_done = on_done, .ud = &seen };
	struct replay *r = replay_start(L, &cfg, s, 1, &h, NULL);
	session_free(s); /* the replay keeps its own copy */
	CHECK(r != NULL);
	CHECK_INT(seen.nturns, 0);
	CHECK(!replay_finished(r));
	for (int i = 0; i < 20 && !seen.done; i++)
		loop_once(L, 100);
	CHECK_INT(seen.done, 1);
	CHECK(seen.done_with == r);
	CHECK_INT(seen.nturns, 3);
	CHECK_INT(seen.turns[0], 1);
	CHECK_INT(seen.turns[1], 3);
	CHECK_INT(seen.turns[2], -1);
	const struct replay_result *res = replay_result_of(r);
	CHECK_INT(res->n, 3);
	CHECK_INT(res->errors, 3);
	CHECK_INT(res->canceled, 0);
	CHECK(res->turns[0].error != NULL);
	CHECK(replay_finished(r));
	replay_free(r);
	api_config_done(&cfg);
	loop_free(L);
}

static void test_empty_plan(void)
{
	struct loop *L = loop_new();
	struct api_config cfg;
	config(&cfg, 1);
	struct session *s = session_new();
	session_add_message(s, "user", "q", NULL);
	struct seen seen = { 0 };
	struct replay_hooks h = { .on_turn = on_turn, .on_done = on_done, .ud = &seen };
	CHECK(replay_start(L, &cfg, s, 0, &h, NULL) == NULL);
	CHECK_INT(seen.done, 0);
	session_free(s);
	api_config_done(&cfg);
	loop_free(L);
}

static void test_cancel_before_the_first_request(void)
{
	struct loop *L = loop_new();
	struct api_config cfg;
	config(&cfg, 1);
	struct session *s = three_turns("claude-test");
	struct seen seen = { 0 };
	struct api_call *current = NULL;
	struct replay_hooks h = { .on_turn = on_turn, .on_done = on_done, .current = &current,
				  .ud = &seen };
	struct replay *r = replay_start(L, &cfg, s, 1, &h, NULL);
	replay_cancel(r);
	CHECK_INT(seen.done, 1); /* at once: nothing was running */
	CHECK_INT(seen.nturns, 0);
	CHECK(replay_result_of(r)->canceled);
	CHECK(replay_finished(r));
	replay_cancel(r); /* again: nothing happens */
	CHECK_INT(seen.done, 1);
	loop_once(L, 20); /* and no turn starts later */
	CHECK_INT(seen.nturns, 0);
	CHECK(current == NULL);
	replay_free(r);
	session_free(s);
	api_config_done(&cfg);
	loop_free(L);
}

static void test_cancel_in_flight(void)
{
	int port, srv = silent_server(&port);
	CHECK(srv >= 0);
	struct loop *L = loop_new();
	struct api_config cfg;
	config(&cfg, port);
	struct session *s = three_turns("claude-test");
	struct seen seen = { 0 };
	struct api_call *current = NULL;
	struct replay_hooks h = { .on_turn = on_turn, .on_done = on_done, .current = &current,
				  .ud = &seen };
	struct replay *r = replay_start(L, &cfg, s, 1, &h, NULL);
	for (int i = 0; i < 10; i++)
		loop_once(L, 20); /* the first request goes out and waits */
	CHECK(current != NULL);
	CHECK_INT(seen.nturns, 0);
	CHECK_INT(seen.done, 0);
	replay_cancel(r);
	CHECK_INT(seen.nturns, 1);
	CHECK_INT(seen.done, 1);
	CHECK(current == NULL);
	const struct replay_result *res = replay_result_of(r);
	CHECK(res->canceled);
	CHECK_INT(res->n, 1);
	CHECK_INT(res->turns[0].failure, API_FAIL_CANCELED);
	for (int i = 0; i < 5; i++)
		loop_once(L, 10);
	CHECK_INT(seen.nturns, 1); /* the later turns never started */
	replay_free(r);
	session_free(s);
	api_config_done(&cfg);
	loop_free(L);
	close(srv);
}

static void test_free_while_running(void)
{
	int port, srv = silent_server(&port);
	struct loop *L = loop_new();
	struct api_config cfg;
	config(&cfg, port);
	struct session *s = three_turns("claude-test");
	struct seen seen = { 0 };
	struct api_call *current = NULL;
	struct replay_hooks h = { .on_turn = on_turn, .on_done = on_done, .current = &current,
				  .ud = &seen };
	struct replay *r = replay_start(L, &cfg, s, 1, &h, NULL);
	for (int i = 0; i < 10; i++)
		loop_once(L, 20);
	CHECK(current != NULL);
	replay_free(r); /* without on_done; leaks would show under ASan/valgrind */
	CHECK_INT(seen.done, 0);
	CHECK(current == NULL);
	replay_free(NULL);
	loop_once(L, 10);
	session_free(s);
	api_config_done(&cfg);
	loop_free(L);
	close(srv);
}

static void test_blocking_wrapper(void)
{
	struct loop *L = loop_new();
	struct api_config cfg;
	config(&cfg, 1);
	struct session *s = three_turns(NULL);
	struct seen seen = { 0 };
	struct replay_hooks h = { .on_turn = on_turn, .on_done = on_done, .ud = &seen };
	struct replay_result res;
	CHECK_INT(replay_run(L, &cfg, s, 0, &h, &res, NULL), 0);
	CHECK_INT(res.n, 1); /* without all_turns: the response only */
	CHECK_INT(res.errors, 1);
	CHECK_INT(seen.nturns, 1);
	CHECK_INT(seen.done, 0); /* replay_run waits itself: no on_done */
	replay_result_done(&res);
	session_free(s);
	api_config_done(&cfg);
	loop_free(L);
}

int main(void)
{
	RUN(test_turns_in_order_without_network);
	RUN(test_empty_plan);
	RUN(test_cancel_before_the_first_request);
	RUN(test_cancel_in_flight);
	RUN(test_free_while_running);
	RUN(test_blocking_wrapper);
	return tap_done();
}
