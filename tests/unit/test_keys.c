/* Key sources, .env parsing, masking, admin keys, key-shaped strings.
 * Only fake keys; .env files go to a private temporary directory. */
#include "tests/unit/tap.h"

#include "core/diag.h"
#include "core/keys.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAKE "sk-ant-api03-FAKEtestKEY0123456789abcdefghij-XYZwAA"

static char dir[] = "/tmp/pwb-test-keys-XXXXXX";
static char *envpath;

static void write_env(const char *text)
{
	FILE *f = fopen(envpath, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

/* keys_find on a .env holding text, with ANTHROPIC_API_KEY unset. */
static enum key_source find_in(const char *text, char **key, struct diag_list *dl)
{
	unsetenv("ANTHROPIC_API_KEY");
	write_env(text);
	return keys_find(envpath, key, dl);
}

static void expect_key(const char *text, const char *want)
{
	char *key = NULL;
	enum key_source src = find_in(text, &key, NULL);
	if (want) {
		CHECK_INT(src, KEY_DOTENV);
		CHECK_STR(key, want);
	} else {
		CHECK_INT(src, KEY_NONE);
		CHECK(key == NULL);
	}
	free(key);
}

static void test_env_beats_dotenv(void)
{
	write_env("ANTHROPIC_API_KEY=sk-ant-api03-FROMdotenvFROMdotenvFROMdotenv\n");
	setenv("ANTHROPIC_API_KEY", FAKE, 1);
	char *key = NULL;
	CHECK_INT(keys_find(envpath, &key, NULL), KEY_ENV);
	CHECK_STR(key, FAKE);
	free(key);
	/* An empty variable counts as unset. */
	setenv("ANTHROPIC_API_KEY", "", 1);
	CHECK_INT(keys_find(envpath, &key, NULL), KEY_DOTENV);
	CHECK_STR(key, "sk-ant-api03-FROMdotenvFROMdotenvFROMdotenv");
	free(key);
	unsetenv("ANTHROPIC_API_KEY");
}

static void test_dotenv_variants(void)
{
	expect_key("ANTHROPIC_API_KEY=" FAKE "\n", FAKE);
	expect_key("ANTHROPIC_API_KEY=" FAKE, FAKE); /* no final newline */
	expect_key("ANTHROPIC_API_KEY=" FAKE "\r\n", FAKE);
	expect_key("export ANTHROPIC_API_KEY=" FAKE "\n", FAKE);
	expect_key("  export   ANTHROPIC_API_KEY = " FAKE "   \n", FAKE);
	expect_key("ANTHROPIC_API_KEY=\"" FAKE "\"\n", FAKE);
	expect_key("ANTHROPIC_API_KEY='" FAKE "'\n", FAKE);
	expect_key("ANTHROPIC_API_KEY=\"" FAKE "\" # the test key\n", FAKE);
	expect_key("ANTHROPIC_API_KEY=" FAKE " # trailing comment\n", FAKE);
	expect_key("# a comment\n\n   \n# ANTHROPIC_API_KEY=sk-ant-api03-commentedOUTcommentedOUT\n"
		   "ANTHROPIC_API_KEY=" FAKE "\n",
		   FAKE);
	/* A # without a space before it is part of an unquoted value. */
	expect_key("ANTHROPIC_API_KEY=abc#def\n", "abc#def");
	/* Quoted values keep # and spaces; single quotes are literal. */
	expect_key("ANTHROPIC_API_KEY=\"a # b\"\n", "a # b");
	expect_key("ANTHROPIC_API_KEY='a\\nb'\n", "a\\nb");
	expect_key("ANTHROPIC_API_KEY=\"a\\\"b\"\n", "a\"b");
	expect_key("\xef\xbb\xbf" "ANTHROPIC_API_KEY=" FAKE "\n", FAKE); /* a BOM */
	/* The last assignment wins. */
	expect_key("ANTHROPIC_API_KEY=first\nANTHROPIC_API_KEY=" FAKE "\n", FAKE);
	/* Empty values and no key at all. */
	expect_key("ANTHROPIC_API_KEY=\n", NULL);
	expect_key("ANTHROPIC_API_KEY=\"\"\n", NULL);
	expect_key("", NULL);
	expect_key("# nothing here\n", NULL);
	/* Similar names are not the key. */
	expect_key("ANTHROPIC_API_KEY_2=" FAKE "\nXANTHROPIC_API_KEY=" FAKE "\n", NULL);
}

static int has_warning(const struct diag_list *dl, const char *needle, int line)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->v[i].level == DIAG_WARNING && strstr(dl->v[i].message, needle) &&
		    (line == 0 || dl->v[i].line == line))
			return 1;
	return 0;
}

static void test_other_names_warned(void)
{
	struct diag_list dl;
	diag_list_init(&dl);
	char *key = NULL;
	enum key_source src = find_in("ANTHROPIC_BASE_URL=https://evil.example\n"
				      "ANTHROPIC_API_KEY=" FAKE "\n"
				      "export OTHER=1\n",
				      &key, &dl);
	CHECK_INT(src, KEY_DOTENV);
	CHECK_STR(key, FAKE);
	CHECK_INT(diag_count(&dl, DIAG_WARNING), 2);
	CHECK_INT(diag_count(&dl, DIAG_ERROR), 0);
	CHECK(has_warning(&dl, "ANTHROPIC_BASE_URL", 1));
	CHECK(has_warning(&dl, "OTHER", 3));
	/* It says why. */
	CHECK(has_warning(&dl, "only ANTHROPIC_API_KEY", 1));
	CHECK(has_warning(&dl, "another host", 1));
	for (size_t i = 0; i < dl.n; i++) {
		CHECK_STR(dl.v[i].file, envpath);
		CHECK(strstr(dl.v[i].message, FAKE) == NULL);
	}
	free(key);
	diag_list_done(&dl);

	/* A malformed line is warned about and skipped. */
	diag_list_init(&dl);
	src = find_in("this is not an assignment\nANTHROPIC_API_KEY=\"unclosed\n", &key, &dl);
	CHECK_INT(src, KEY_NONE);
	CHECK_INT(diag_count(&dl, DIAG_WARNING), 2);
	CHECK(has_warning(&dl, "ignored", 1));
	CHECK(has_warning(&dl, "quote", 2));
	diag_list_done(&dl);
}

static void test_missing(void)
{
	unsetenv("ANTHROPIC_API_KEY");
	char *key = (char *)"x";
	struct diag_list dl;
	diag_list_init(&dl);
	char *nopath = xasprintf("%s/absent.env", dir);
	CHECK_INT(keys_find(nopath, &key, &dl), KEY_NONE);
	CHECK(key == NULL);
	CHECK_INT(dl.n, 0);
	CHECK_INT(keys_find(NULL, &key, NULL), KEY_NONE);
	free(nopath);
	diag_list_done(&dl);
	CHECK(strstr(KEYS_MISSING_MESSAGE, "ANTHROPIC_API_KEY") != NULL);
	CHECK(strstr(KEYS_MISSING_MESSAGE, ".env") != NULL);
}

static void test_mask(void)
{
	char *m = keys_mask(FAKE);
	CHECK_STR(m, "sk-ant-api03-\xe2\x80\xa6" "ZwAA");
	CHECK(strstr(m, "FAKE") == NULL);
	free(m);
	m = keys_mask("sk-ant-admin01-FAKEadminKEY0123456789abcd");
	CHECK_STR(m, "sk-ant-admin01-\xe2\x80\xa6" "abcd");
	free(m);
	/* Short secrets show nothing of their end. */
	m = keys_mask("sk-ant-api03-abc");
	CHECK_STR(m, "sk-ant-api03-\xe2\x80\xa6");
	free(m);
	m = keys_mask("not-a-usual-key-0123456789");
	CHECK_STR(m, "\xe2\x80\xa6" "6789");
	free(m);
	m = keys_mask("");
	CHECK_STR(m, "\xe2\x80\xa6");
	free(m);
}

static void test_admin(void)
{
	CHECK(keys_is_admin("sk-ant-admin01-FAKEadminKEY0123456789abcd"));
	CHECK(!keys_is_admin(FAKE));
	CHECK(!keys_is_admin("sk-ant-api03-admin"));
	CHECK(!keys_is_admin(""));
	CHECK(!keys_is_admin(NULL));
	CHECK(strstr(KEYS_ADMIN_MESSAGE, "sk-ant-admin") != NULL);
}

static void shaped(const char *text, int want, size_t want_off, size_t want_len)
{
	size_t off = 99, len = 99;
	int got = keys_find_shaped(text, strlen(text), &off, &len);
	if (got != want)
		printf("#   keys_find_shaped(\"%s\")\n", text);
	CHECK_INT(got, want);
	if (want && got) {
		CHECK_INT(off, want_off);
		CHECK_INT(len, want_len);
	}
}

static void test_shaped(void)
{
	shaped(FAKE, 1, 0, strlen(FAKE));
	shaped("key: " FAKE "\n", 1, 5, strlen(FAKE));
	shaped("x=\"sk-ant-admin01-ABCDEFGHIJKLMNOPQRSTUVWXYZ\"", 1, 3, 41);
	shaped("sk-ant-oat01-abcdefghij_klmnopqrst", 1, 0, 34);
	shaped("sk-ant-api-01234567890123456789", 1, 0, 31);    /* word without digits */
	shaped("sk-ant-api03-0123456789012345678", 0, 0, 0);    /* 19 key characters */
	shaped("sk-ant-api03-01234567890123456789", 1, 0, 33);  /* 20 */
	shaped("sk-ant-API03-01234567890123456789", 0, 0, 0);   /* word not lowercase */
	shaped("sk-ant-03-01234567890123456789", 0, 0, 0);      /* no word */
	shaped("sk-ant-api03_01234567890123456789", 0, 0, 0);   /* no dash after the word */
	shaped("sk-ant-", 0, 0, 0);
	shaped("", 0, 0, 0);
	shaped("sk-proj-01234567890123456789012345", 0, 0, 0);  /* another vendor */
	shaped("sk-ant-api03-\xe2\x80\xa6" "abcd", 0, 0, 0);    /* the masked form */
	shaped("see sk-ant-api03-short and then " FAKE, 1, 32, strlen(FAKE));
	/* A masked key never matches, whatever key it masks. */
	char *m = keys_mask(FAKE);
	shaped(m, 0, 0, 0);
	free(m);
	/* Length-bounded: a key cut by len is not found past len. */
	CHECK_INT(keys_find_shaped(FAKE, 25, NULL, NULL), 0);
	CHECK_INT(keys_find_shaped(FAKE, 33, NULL, NULL), 1);
}

static void test_redact(void)
{
	char *r = keys_redact("a " FAKE " b " FAKE, FAKE, "[key]");
	CHECK_STR(r, "a [key] b [key]");
	free(r);
	r = keys_redact("nothing here", FAKE, "[key]");
	CHECK_STR(r, "nothing here");
	free(r);
	r = keys_redact(FAKE FAKE, FAKE, "");
	CHECK_STR(r, "");
	free(r);
	r = keys_redact("text", "", "[key]");
	CHECK_STR(r, "text");
	free(r);
	r = keys_redact("text", NULL, "[key]");
	CHECK_STR(r, "text");
	free(r);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		printf("not ok - mkdtemp\n");
		return 1;
	}
	envpath = xasprintf("%s/.env", dir);
	RUN(test_env_beats_dotenv);
	RUN(test_dotenv_variants);
	RUN(test_other_names_warned);
	RUN(test_missing);
	RUN(test_mask);
	RUN(test_admin);
	RUN(test_shaped);
	RUN(test_redact);
	unlink(envpath);
	rmdir(dir);
	free(envpath);
	return tap_done();
}
