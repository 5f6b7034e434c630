/*
 * test_sshconfig - ssh_config(5) as ssh(1) reads it: a table of config
 * texts and host names with the values ssh -G gives for them (each row
 * was checked against OpenSSH 9.2's `ssh -G -F FILE HOST`), syntax errors
 * with their line, Include (globs, relative to ~/.ssh, conditional,
 * depth), permissions, tokens, and the ProxyJump list splitter. NULL,
 * empty and oversized inputs first.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sshconfig.h"

static int resolve_text(const char *text, const char *host, const char *user, int port,
			struct sshcfg *c, struct err *e)
{
	struct sshcfg_in in = { 0 };

	in.host = host;
	in.user = user;
	in.port = port;
	in.config = "test.conf";
	in.text = text;
	in.text_len = text ? strlen(text) : 0;
	err_clear(e);
	return sshcfg_resolve(&in, c, e);
}

static void test_null_empty_oversized(void **state)
{
	struct sshcfg c;
	struct err e;
	struct sshcfg_in in = { 0 };
	char *big;
	size_t n = SSHCFG_MAX_BYTES + 10;
	char dir[] = "/tmp/rd-sshcfg-XXXXXX", path[128];
	FILE *fp;

	(void)state;
	err_clear(&e);
	assert_int_equal(sshcfg_resolve(&in, &c, &e), -1);	/* no host */
	assert_int_equal(e.code, ERR_USAGE);
	assert_int_equal(sshcfg_resolve(NULL, &c, &e), -1);
	sshcfg_free(NULL);
	/* an empty config: ssh's defaults */
	assert_int_equal(resolve_text("", "relay1", NULL, 0, &c, &e), 0);
	assert_string_equal(c.hostname, "relay1");
	assert_int_equal(c.port, 22);
	assert_non_null(c.user);
	assert_int_equal(c.n_identity, 0);
	assert_null(c.proxy_jump);
	assert_int_equal(c.strict, SSHCFG_STRICT_ASK);
	sshcfg_free(&c);
	/* -F none reads nothing */
	in.host = "relay1";
	in.config = "none";
	assert_int_equal(sshcfg_resolve(&in, &c, &e), 0);
	assert_string_equal(c.hostname, "relay1");
	sshcfg_free(&c);
	/* a missing -F file is an error naming it */
	in.config = "/nonexistent/ssh_config";
	assert_int_equal(sshcfg_resolve(&in, &c, &e), -1);
	assert_non_null(strstr(e.msg, "/nonexistent/ssh_config"));
	/* an oversized file is refused, not read without limit */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big", dir);
	big = malloc(n);
	assert_non_null(big);
	memset(big, '#', n);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fwrite(big, 1, n, fp);
	fclose(fp);
	free(big);
	in.config = path;
	assert_int_equal(sshcfg_resolve(&in, &c, &e), -1);
	assert_int_equal(e.code, ERR_LIMIT);
	unlink(path);
	rmdir(dir);
	/* a very long line of arguments */
	big = malloc(200000);
	assert_non_null(big);
	memcpy(big, "Host x\n HostName ", 17);
	memset(big + 17, 'a', 200000 - 18);
	big[200000 - 1] = '\0';
	assert_int_equal(resolve_text(big, "x", NULL, 0, &c, &e), 0);
	assert_int_equal(strlen(c.hostname), 200000 - 18);
	sshcfg_free(&c);
	free(big);
}

struct row {
	const char *text;
	const char *host, *user;	/* as given (user@host) */
	const char *hostname;
	int port;
	const char *want_user;
	const char *proxy_jump;
	int ids_only;
};

/* Each row: what `ssh -G -F FILE [USER@]HOST` prints for it. */
static const struct row rows[] = {
	{ "Host myhost\n  Port 2222\n", "myhost", NULL, "myhost", 2222, NULL, NULL, 0 },
	/* Host patterns are case-sensitive against the name given */
	{ "Host myhost\n  Port 2222\n", "MyHost", NULL, "myhost", 22, NULL, NULL, 0 },
	{ "Host *.Example.com\n User upper\n", "A.Example.com", NULL, "a.example.com", 22, "upper", NULL, 0 },
	{ "Host alias\n HostName real.%h.example.org\n", "alias", NULL, "real.alias.example.org", 22, NULL, NULL, 0 },
	/* several patterns, a negated one vetoes the line */
	{ "Host a b c\n Port 1\nHost *\n Port 2\n", "b", NULL, "b", 1, NULL, NULL, 0 },
	{ "Host *.corp !bastion.corp\n Port 1\n", "bastion.corp", NULL, "bastion.corp", 22, NULL, NULL, 0 },
	{ "Host *.corp !bastion.corp\n Port 1\n", "db.corp", NULL, "db.corp", 1, NULL, NULL, 0 },
	{ "Host relay?\n Port 3\n", "relay7", NULL, "relay7", 3, NULL, NULL, 0 },
	{ "Host relay?\n Port 3\n", "relay77", NULL, "relay77", 22, NULL, NULL, 0 },
	/* first value wins */
	{ "Host x\n Port 5\n Port 6\nHost *\n Port 7\n User u\n", "x", NULL, "x", 5, "u", NULL, 0 },
	/* the command line wins over the config */
	{ "Host x\n Port 5\n User cfg\n", "x", "cli", "x", 5, "cli", NULL, 0 },
	/* `=` and whitespace, quotes, comments, keywords in any case */
	{ "host x # comment\n  hOsTnAmE=\"real host\"\n", "x", NULL, "real host", 22, NULL, NULL, 0 },
	{ "Host x\nPort =23\n", "x", NULL, "x", 23, NULL, NULL, 0 },
	{ "Host x\nPort= 24\n", "x", NULL, "x", 24, NULL, NULL, 0 },
	{ "Host x\nUser 'x y'\n", "x", NULL, "x", 22, "x y", NULL, 0 },
	{ "Host x\nUser a\\ b\n", "x", NULL, "x", 22, "a b", NULL, 0 },
	{ "Host x\nUser a#b\n", "x", NULL, "x", 22, "a#b", NULL, 0 },
	{ "Host x\nUser a #b\n", "x", NULL, "x", 22, "a", NULL, 0 },
	{ "Host x\nUser \"a\"b\"c\"\n", "x", NULL, "x", 22, "abc", NULL, 0 },
	{ "Host x\r\n\tPort 25 \r\n", "x", NULL, "x", 25, NULL, NULL, 0 },
	{ "Host x\n Port ssh\n", "x", NULL, "x", 22, NULL, NULL, 0 },
	/* Match host sees HostName as set so far; originalhost the name given */
	{ "Host alias\n HostName real.example.org\nMatch host real.example.org user bob\n Port 1001\n"
	  "Match host real.example.org\n Port 1002\nMatch originalhost alias\n User oh\n"
	  "Match !host foo,bar all\n IdentitiesOnly yes\n",
	  "alias", NULL, "real.example.org", 1002, "oh", NULL, 1 },
	{ "Host alias\n HostName real.example.org\nMatch host real.example.org user bob\n Port 1001\n",
	  "alias", "bob", "real.example.org", 1001, "bob", NULL, 0 },
	{ "Match host real.example.org\n Port 9\nHost alias2\n HostName real.example.org\n",
	  "alias2", NULL, "real.example.org", 22, NULL, NULL, 0 },
	{ "Match all\n Port 4\n", "x", NULL, "x", 4, NULL, NULL, 0 },
	{ "Match localuser nosuchuser-here\n Port 4\n", "x", NULL, "x", 22, NULL, NULL, 0 },
	{ "Match !localuser nosuchuser-here\n Port 4\n", "x", NULL, "x", 4, NULL, NULL, 0 },
	/* Match final: a second pass where Host matches the resolved name */
	{ "Host alias\n HostName real\nMatch canonical\n Port 4\nMatch final\n User f\nHost real\n IdentitiesOnly yes\n",
	  "alias", NULL, "real", 4, "f", NULL, 1 },
	{ "Host alias\n HostName real\nHost real\n Port 9\n", "alias", NULL, "real", 22, NULL, NULL, 0 },
	/* Match exec after a failed criterion is skipped, as ssh does */
	{ "Match host y exec \"false\"\n Port 5\nMatch host x\n Port 7\n", "x", NULL, "x", 7, NULL, NULL, 0 },
	/* ProxyJump, ProxyCommand: the first one given wins */
	{ "Host d\n ProxyJump j1,bob@j2:2022\n ProxyCommand foo\n", "d", NULL, "d", 22, NULL, "j1,bob@j2:2022", 0 },
	{ "Host d\n ProxyJump none\nHost *\n ProxyJump j1\n", "d", NULL, "d", 22, NULL, NULL, 0 },
	{ "Host d\n ProxyCommand none\n ProxyJump j1\n", "d", NULL, "d", 22, NULL, NULL, 0 },
	{ "Host d\n HostName real\n Port 2200\n User u\n ProxyJump %r@jump-%h:%p,%n\n", "d", NULL, "real", 2200, "u",
	  "u@jump-real:2200,d", 0 },
	/* an unknown keyword is skipped (ssh would stop) */
	{ "Host x\n Bogus 1\n Port 8\n", "x", NULL, "x", 8, NULL, NULL, 0 },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct sshcfg c;
		struct err e;

		if (resolve_text(r->text, r->host, r->user, 0, &c, &e) < 0)
			fail_msg("row %zu: %s", i, e.msg);
		if (strcmp(c.hostname, r->hostname) != 0 || c.port != r->port)
			fail_msg("row %zu: got %s:%d, want %s:%d", i, c.hostname, c.port, r->hostname,
				 r->port);
		if (r->want_user && strcmp(c.user, r->want_user) != 0)
			fail_msg("row %zu: user %s, want %s", i, c.user, r->want_user);
		if ((r->proxy_jump == NULL) != (c.proxy_jump == NULL) ||
		    (r->proxy_jump && strcmp(r->proxy_jump, c.proxy_jump) != 0))
			fail_msg("row %zu: ProxyJump %s, want %s", i, c.proxy_jump ? c.proxy_jump : "(none)",
				 r->proxy_jump ? r->proxy_jump : "(none)");
		if (c.identities_only != r->ids_only)
			fail_msg("row %zu: IdentitiesOnly %d", i, c.identities_only);
		sshcfg_free(&c);
	}
}

struct bad {
	const char *text;
	int line;
	const char *msg;
};

static const struct bad bads[] = {
	{ "Host x\nPort==22\n", 2, "bad port" },
	{ "Host x\n Port 0\n", 2, "bad port" },
	{ "Host x\n Port 65536\n", 2, "bad port" },
	{ "Host x\n Port 22x\n", 2, "bad port" },
	/* checked in sections that do not apply too, as ssh does */
	{ "Host other\n Port 22x\n", 2, "bad port" },
	{ "\n\nUser \"a b\n", 3, "invalid quotes" },
	{ "User\n", 1, "no argument" },
	{ "Host\n", 1, "no argument" },
	{ "IdentityFile a b\n", 1, "extra arguments" },
	{ "Match all host x\n Port 3\n", 1, "'all' cannot be combined" },
	{ "Match\n", 1, "needs criteria" },
	{ "Match host\n", 1, "needs an argument" },
	{ "Match tagged x\n", 1, "unsupported Match attribute" },
	{ "Match exec \"true\"\n Port 5\n", 1, "Match exec is not supported" },
	{ "Host x\n StrictHostKeyChecking maybe\n", 2, "StrictHostKeyChecking" },
	{ "Host x\n IdentitiesOnly perhaps\n", 2, "IdentitiesOnly" },
	{ "Host x\n ConnectTimeout soon\n", 2, "ConnectTimeout" },
	{ "Host x\n ProxyCommand ssh -W %h:%p jump\n", 2, "ProxyCommand is not supported" },
	{ "Host x\n ProxyJump bob@[::1\n", 2, "unbalanced" },
	{ "Host x\n User a\0b\n", 2, "NUL" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct sshcfg_in in = { 0 };
		struct sshcfg c;
		struct err e;
		struct sshcfg_in *pin = &in;

		in.host = "x";
		in.config = "test.conf";
		in.text = bads[i].text;
		in.text_len = strlen(bads[i].text);
		if (strstr(bads[i].msg, "NUL"))
			in.text_len = 17;	/* the text holds a NUL */
		err_clear(&e);
		if (sshcfg_resolve(pin, &c, &e) == 0) {
			if (strstr(bads[i].msg, "unbalanced")) {
				/* the hop list is split when connecting */
				const char *l = c.proxy_jump;
				char *u, *h;
				int p;

				assert_int_equal(sshcfg_jump_next(&l, &u, &h, &p, &e), -1);
				assert_non_null(strstr(e.msg, bads[i].msg));
				sshcfg_free(&c);
				continue;
			}
			fail_msg("bad row %zu accepted", i);
		}
		if (strstr(e.msg, bads[i].msg) == NULL)
			fail_msg("bad row %zu: message '%s' lacks '%s'", i, e.msg, bads[i].msg);
		if (e.line != bads[i].line || strcmp(e.file, "test.conf") != 0)
			fail_msg("bad row %zu: at %s:%d, want test.conf:%d", i, e.file, e.line, bads[i].line);
		assert_int_equal(e.code, ERR_PARSE);
	}
}

static void test_files_and_tokens(void **state)
{
	struct sshcfg c;
	struct err e;
	char *home = getenv("HOME");
	char *user = NULL;
	const char *text =
		"Host x\n"
		" User bob\n"
		" Port 2022\n"
		" HostName Real.Example\n"
		" IdentityFile ~/.ssh/id_%h_%r_%p\n"
		" IdentityFile %d/k%%\n"
		" IdentityFile ~/.ssh/id_%h_%r_%p\n"	/* a duplicate is dropped */
		" IdentityFile ${RD_TEST_KEYDIR}/k3\n"
		" UserKnownHostsFile ~/kh1 \"/tmp/kh 2\" %n.kh\n"
		" GlobalKnownHostsFile none\n"
		" StrictHostKeyChecking accept-new\n"
		" ConnectTimeout 1m5s\n"
		" HashKnownHosts yes\n"
		" KexAlgorithms curve25519-sha256\n";

	(void)state;
	setenv("RD_TEST_KEYDIR", "/keys", 1);
	if (resolve_text(text, "x", NULL, 0, &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(c.hostname, "real.example");
	assert_int_equal(c.n_identity, 3);
	assert_true(asprintf(&user, "%s/.ssh/id_real.example_bob_2022", home) > 0);
	assert_string_equal(c.identity[0], user);
	free(user);
	assert_true(asprintf(&user, "%s/k%%", home) > 0);
	assert_string_equal(c.identity[1], user);
	free(user);
	assert_string_equal(c.identity[2], "/keys/k3");
	assert_int_equal(c.n_user_kh, 3);
	assert_string_equal(c.user_kh[1], "/tmp/kh 2");
	assert_string_equal(c.user_kh[2], "x.kh");
	assert_true(c.global_kh_set);
	assert_int_equal(c.n_global_kh, 0);
	assert_int_equal(c.strict, SSHCFG_STRICT_ACCEPT_NEW);
	assert_int_equal(c.connect_timeout_s, 65);
	assert_int_equal(c.hash_known_hosts, 1);
	assert_non_null(strstr(c.notes, "test.conf:14: KexAlgorithms is not used"));
	assert_int_equal(c.o_port.line, 3);
	sshcfg_free(&c);
	/* an unset ${VAR}: that file is not used, with a note, as ssh does */
	unsetenv("RD_TEST_KEYDIR");
	if (resolve_text(text, "x", NULL, 0, &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(c.n_identity, 2);
	assert_non_null(strstr(c.notes, "RD_TEST_KEYDIR"));
	sshcfg_free(&c);
	/* an unknown token is an error */
	assert_int_equal(resolve_text("IdentityFile ~/%z\n", "x", NULL, 0, &c, &e), -1);
	assert_non_null(strstr(e.msg, "%z"));
	/* StrictHostKeyChecking spellings */
	assert_int_equal(resolve_text("StrictHostKeyChecking off\n", "x", NULL, 0, &c, &e), 0);
	assert_int_equal(c.strict, SSHCFG_STRICT_NO);
	sshcfg_free(&c);
	assert_int_equal(resolve_text("StrictHostKeyChecking yes\n", "x", NULL, 0, &c, &e), 0);
	assert_int_equal(c.strict, SSHCFG_STRICT_YES);
	sshcfg_free(&c);
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	chmod(path, mode);
}

/* The cases of OpenSSH's own regress test for Include (cfginclude.sh). */
static void test_include(void **state)
{
	char dir[] = "/tmp/rd-sshinc-XXXXXX", p[256], main_cf[256], *oldhome;
	static const char *const hosts[][2] = {
		{ "a", "aa" }, { "b", "bb" }, { "c", "ccc" }, { "d", "dd" }, { "e", "ee" },
		{ "f", "fff" }, { "m", "xxxx" }, { "n", "xxxx" }, { "x", "x" },
	};
	struct sshcfg_in in = { 0 };
	struct sshcfg c;
	struct err e;

	(void)state;
	assert_non_null(mkdtemp(dir));
	oldhome = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	setenv("HOME", dir, 1);
	snprintf(p, sizeof(p), "%s/.ssh", dir);
	mkdir(p, 0700);
	snprintf(main_cf, sizeof(main_cf), "%s/main", dir);
	/* relative names are in ~/.ssh */
	write_text(main_cf,
		   "Match host a\n\tHostname aa\n\nMatch host b\n\tHostname bb\n\tInclude i.*\n\n"
		   "Match host c\n\tInclude i.*\n\tHostname cc\n\nMatch host m\n\tInclude i.*\n\n"
		   "Host d\n\tHostname dd\n\nHost e\n\tHostname ee\n\tInclude i.*\n\n"
		   "Host f\n\tInclude i.*\n\tHostname ff\n\nHost n\n\tInclude i.*\n", 0644);
	snprintf(p, sizeof(p), "%s/.ssh/i.0", dir);
	write_text(p, "Match host xxxxxx\n", 0644);
	snprintf(p, sizeof(p), "%s/.ssh/i.1", dir);
	write_text(p, "Match host a\nHostname aaa\nMatch host b\nHostname bbb\nMatch host c\nHostname ccc\n"
		      "Host d\nHostname ddd\nHost e\nHostname eee\nHost f\nHostname fff\n", 0644);
	snprintf(p, sizeof(p), "%s/.ssh/i.2", dir);
	write_text(p, "Match host a\nHostname aaaa\nMatch host b\nHostname bbbb\nMatch host c\nHostname cccc\n"
		      "Host d\nHostname dddd\nHost e\nHostname eeee\nHost f\nHostname ffff\n"
		      "Match all\nHostname xxxx\n", 0644);
	in.config = main_cf;
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		in.host = hosts[i][0];
		err_clear(&e);
		if (sshcfg_resolve(&in, &c, &e) < 0)
			fail_msg("%s: %s", hosts[i][0], e.msg);
		if (strcmp(c.hostname, hosts[i][1]) != 0)
			fail_msg("host %s: got %s, want %s", hosts[i][0], c.hostname, hosts[i][1]);
		sshcfg_free(&c);
	}
	/* an error inside an included file names that file and line */
	snprintf(p, sizeof(p), "%s/.ssh/i.3", dir);
	write_text(p, "Hostname xxxx\nPort nope\n", 0644);
	in.host = "a";
	assert_int_equal(sshcfg_resolve(&in, &c, &e), -1);
	assert_string_equal(e.file, p);
	assert_int_equal(e.line, 2);
	unlink(p);
	/* an included file others may write is refused (ssh does too) */
	snprintf(p, sizeof(p), "%s/.ssh/i.1", dir);
	chmod(p, 0666);
	in.host = "b";
	assert_int_equal(sshcfg_resolve(&in, &c, &e), -1);
	assert_non_null(strstr(e.msg, "bad owner or permissions"));
	chmod(p, 0644);
	/* a loop stops at the depth limit with an error */
	snprintf(p, sizeof(p), "%s/.ssh/loop", dir);
	write_text(p, "Include loop\n", 0644);
	write_text(main_cf, "Include loop\n", 0644);
	assert_int_equal(sshcfg_resolve(&in, &c, &e), -1);
	assert_non_null(strstr(e.msg, "nested Include"));
	/* ~/.ssh/config is the default, and permission-checked */
	snprintf(p, sizeof(p), "%s/.ssh/config", dir);
	write_text(p, "Host b\n Port 2345\n", 0644);
	memset(&in, 0, sizeof(in));
	in.host = "b";
	in.system_config = "/nonexistent";
	assert_int_equal(sshcfg_resolve(&in, &c, &e), 0);
	assert_int_equal(c.port, 2345);
	assert_non_null(strstr(c.files, p));
	sshcfg_free(&c);
	chmod(p, 0622);
	assert_int_equal(sshcfg_resolve(&in, &c, &e), -1);
	assert_non_null(strstr(e.msg, "bad owner or permissions"));
	if (oldhome) {
		setenv("HOME", oldhome, 1);
		free(oldhome);
	}
}

static void test_jump_list(void **state)
{
	const char *l = "bob@j1:2201, ssh://j2,[::1]:2203,j@4";
	char *u, *h;
	int p;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(sshcfg_jump_next(&l, &u, &h, &p, &e), 0);
	assert_string_equal(u, "bob");
	assert_string_equal(h, "j1");
	assert_int_equal(p, 2201);
	free(u);
	free(h);
	assert_int_equal(sshcfg_jump_next(&l, &u, &h, &p, &e), 0);
	assert_null(u);
	assert_string_equal(h, "j2");
	assert_int_equal(p, 0);
	free(h);
	assert_int_equal(sshcfg_jump_next(&l, &u, &h, &p, &e), 0);
	assert_string_equal(h, "::1");
	assert_int_equal(p, 2203);
	free(h);
	assert_int_equal(sshcfg_jump_next(&l, &u, &h, &p, &e), 0);
	assert_string_equal(u, "j");
	assert_string_equal(h, "4");
	free(u);
	free(h);
	assert_int_equal(sshcfg_jump_next(&l, &u, &h, &p, &e), 1);
	l = "host:99999";
	assert_int_equal(sshcfg_jump_next(&l, &u, &h, &p, &e), -1);
	l = "@host";
	assert_int_equal(sshcfg_jump_next(&l, &u, &h, &p, &e), -1);
}

static void test_patterns(void **state)
{
	(void)state;
	assert_true(sshcfg_pattern_match("relay1.example.com", "*.example.com", 0));
	assert_true(sshcfg_pattern_match("", "*", 0));
	assert_false(sshcfg_pattern_match("", "?", 0));
	assert_true(sshcfg_pattern_match("abc", "a*c", 0));
	assert_false(sshcfg_pattern_match("abd", "a*c", 0));
	assert_true(sshcfg_pattern_match("ABC", "abc", 1));
	assert_false(sshcfg_pattern_match("ABC", "abc", 0));
	/* a pathological pattern finishes at once */
	{
		char s[4001], p[2001];

		memset(s, 'a', 4000);
		s[4000] = '\0';
		for (int i = 0; i < 2000; i += 2) {
			p[i] = 'a';
			p[i + 1] = '*';
		}
		p[1999] = 'b';
		p[2000] = '\0';
		assert_false(sshcfg_pattern_match(s, p, 0));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_empty_oversized),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_files_and_tokens),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_jump_list),
		cmocka_unit_test(test_patterns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
