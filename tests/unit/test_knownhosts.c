/*
 * test_knownhosts - known_hosts matching as OpenSSH does it, on fixed
 * files: patterns with * ? and !, [host]:port names, hashed names (made by
 * ssh-keygen -H), @revoked, changed keys with their line, key types, and
 * fingerprints as ssh-keygen -l prints them. Also the -H spec parser.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "knownhosts.h"
#include "ssh_session.h"

#define K1 "AAAAC3NzaC1lZDI1NTE5AAAAIHsg9251S2iHpiaq04i32CYkpd+dHs+NaZZev5hRYKac"
#define K1_FP "SHA256:UuUoPEZ1tBdVOVt/GjtWOhbyYJOJN2tbXv9FzUyOHf4"
#define K2 "AAAAC3NzaC1lZDI1NTE5AAAAIJO0kgyZuJdwoaWXMKWdzzqG436onh8iJmt7JSb34eFz"
/* ssh-keygen -H of "relay.example.com ssh-ed25519 K1" */
#define HASHED "|1|QIf7JOAjls1V0UJoEl0t5YpJRS4=|wVqGtlFHs+Fte/lgRPuK6R7UAD0="

static unsigned char blob1[64], blob2[64];
static size_t len1, len2;
static char path[64];

static size_t decode(const char *b64, unsigned char *out)
{
	int n = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)strlen(b64));

	return (size_t)n - (b64[strlen(b64) - 1] == '=');
}

static const char *write_file(const char *text)
{
	FILE *fp;
	int fd;

	snprintf(path, sizeof(path), "/tmp/rd-kh-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs(text, fp);
	fclose(fp);
	return path;
}

static enum kh_status check(const char *text, const char *name, const unsigned char *blob,
			    size_t len, struct kh_result *r)
{
	const char *files[] = { write_file(text) };
	struct err e;

	err_clear(&e);
	assert_int_equal(knownhosts_check(files, 1, name, blob, len, r, &e), 0);
	unlink(path);
	return r->status;
}

static void test_patterns(void **state)
{
	(void)state;
	assert_true(knownhosts_match_hostname("relay1.example.com", "relay1.example.com"));
	assert_true(knownhosts_match_hostname("Relay1.Example.COM", "relay1.example.com"));
	assert_true(knownhosts_match_hostname("relay1.example.com", "*.example.com"));
	assert_true(knownhosts_match_hostname("relay1.example.com", "other,relay?.example.com"));
	assert_false(knownhosts_match_hostname("relay10.example.com", "relay?.example.com"));
	assert_false(knownhosts_match_hostname("relay1.example.com", "*.example.com,!relay1.*"));
	assert_false(knownhosts_match_hostname("relay1.example.com", "!relay1.example.com"));
	assert_true(knownhosts_match_hostname("[10.0.0.1]:2222", "[10.0.0.1]:2222"));
	assert_false(knownhosts_match_hostname("[10.0.0.1]:2222", "10.0.0.1"));
	assert_false(knownhosts_match_hostname("relay1", ""));
}

static void test_host_name(void **state)
{
	char n[64];

	(void)state;
	knownhosts_host_name("Relay.Example.com", 22, n, sizeof(n));
	assert_string_equal(n, "relay.example.com");
	knownhosts_host_name("10.0.0.1", 2222, n, sizeof(n));
	assert_string_equal(n, "[10.0.0.1]:2222");
	knownhosts_host_name("::1", 2222, n, sizeof(n));
	assert_string_equal(n, "[::1]:2222");
}

static void test_fingerprint_and_type(void **state)
{
	char fp[64], type[32];

	(void)state;
	knownhosts_fingerprint(blob1, len1, fp, sizeof(fp));
	assert_string_equal(fp, K1_FP);
	knownhosts_blob_type(blob1, len1, type, sizeof(type));
	assert_string_equal(type, "ssh-ed25519");
	knownhosts_blob_type(blob1, 3, type, sizeof(type));
	assert_string_equal(type, "");
}

static void test_match_unknown_changed(void **state)
{
	struct kh_result r;

	(void)state;
	assert_int_equal(check("# c\n\nrelay.example.com ssh-ed25519 " K1 " c\n", "relay.example.com",
			       blob1, len1, &r), KH_MATCH);
	assert_int_equal(r.line, 3);
	assert_int_equal(check("other ssh-ed25519 " K1 "\n", "relay.example.com", blob1, len1, &r),
			 KH_UNKNOWN);
	assert_int_equal(check("# old\nrelay.example.com ssh-ed25519 " K2 "\n", "relay.example.com",
			       blob1, len1, &r), KH_CHANGED);
	assert_int_equal(r.line, 2);
	/* another line with the right key wins over a stale one, as in OpenSSH */
	assert_int_equal(check("relay.example.com ssh-ed25519 " K2 "\n*.example.com ssh-ed25519 " K1
			       "\n", "relay.example.com", blob1, len1, &r), KH_MATCH);
	/* another type only: unknown, but the known type is named */
	assert_int_equal(check("relay.example.com ecdsa-sha2-nistp256 AAAA\n", "relay.example.com",
			       blob1, len1, &r), KH_UNKNOWN);
	assert_string_equal(r.other_types, "ecdsa-sha2-nistp256");
	assert_int_equal(r.other_line, 1);
}

static void test_hashed_port_revoked(void **state)
{
	struct kh_result r;

	(void)state;
	assert_int_equal(check(HASHED " ssh-ed25519 " K1 "\n", "relay.example.com", blob1, len1, &r),
			 KH_MATCH);
	assert_int_equal(check(HASHED " ssh-ed25519 " K1 "\n", "relay2.example.com", blob1, len1, &r),
			 KH_UNKNOWN);
	assert_int_equal(check("[10.0.0.1]:2222 ssh-ed25519 " K1 "\n", "[10.0.0.1]:2222", blob1,
			       len1, &r), KH_MATCH);
	assert_int_equal(check("10.0.0.1 ssh-ed25519 " K1 "\n", "[10.0.0.1]:2222", blob1, len1, &r),
			 KH_UNKNOWN);
	assert_int_equal(check("relay.example.com ssh-ed25519 " K1 "\n@revoked * ssh-ed25519 " K1 "\n",
			       "relay.example.com", blob1, len1, &r), KH_REVOKED);
	assert_int_equal(r.line, 2);
	assert_int_equal(check("relay.example.com ssh-ed25519 " K1 "\n@revoked * ssh-ed25519 " K2 "\n",
			       "relay.example.com", blob1, len1, &r), KH_MATCH);
	assert_int_equal(check("@cert-authority * ssh-ed25519 " K1 "\n", "relay.example.com", blob1,
			       len1, &r), KH_UNKNOWN);
	assert_int_equal(r.cert_authorities, 1);
	/* garbage lines are skipped, never matched */
	assert_int_equal(check("@bogus * ssh-ed25519 " K1 "\nrelay.example.com\n|1|x|y ssh-ed25519 "
			       K1 "\n", "relay.example.com", blob1, len1, &r), KH_UNKNOWN);
}

static void test_types_order(void **state)
{
	const char *files[1];
	char t[128];

	(void)state;
	files[0] = write_file("relay ecdsa-sha2-nistp256 AAAA\nrelay ssh-ed25519 " K2
			      "\nrelay ecdsa-sha2-nistp256 BBBB\n@revoked relay ssh-rsa CCCC\n");
	knownhosts_types(files, 1, "relay", t, sizeof(t));
	unlink(path);
	assert_string_equal(t, "ecdsa-sha2-nistp256,ssh-ed25519");
}

static void test_spec_parse(void **state)
{
	char *u, *h;
	int p;
	struct err e;

	(void)state;
	assert_int_equal(ssh_spec_parse("relay1", &u, &h, &p, &e), 0);
	assert_null(u);
	assert_string_equal(h, "relay1");
	assert_int_equal(p, 0);
	free(h);
	assert_int_equal(ssh_spec_parse("admin@relay1:2222", &u, &h, &p, &e), 0);
	assert_string_equal(u, "admin");
	assert_string_equal(h, "relay1");
	assert_int_equal(p, 2222);
	free(u);
	free(h);
	assert_int_equal(ssh_spec_parse("root@[::1]:22", &u, &h, &p, &e), 0);
	assert_string_equal(h, "::1");
	assert_int_equal(p, 22);
	free(u);
	free(h);
	assert_int_equal(ssh_spec_parse("fe80::1", &u, &h, &p, &e), 0);
	assert_string_equal(h, "fe80::1");
	assert_int_equal(p, 0);
	free(h);
	assert_int_equal(ssh_spec_parse("relay1:0", &u, &h, &p, &e), -1);
	assert_int_equal(ssh_spec_parse("relay1:x", &u, &h, &p, &e), -1);
	assert_int_equal(ssh_spec_parse("@relay1", &u, &h, &p, &e), -1);
	assert_int_equal(ssh_spec_parse("[::1", &u, &h, &p, &e), -1);
	assert_int_equal(ssh_spec_parse("a b", &u, &h, &p, &e), -1);
	assert_int_equal(ssh_spec_parse("", &u, &h, &p, &e), -1);
	assert_int_equal(e.code, ERR_USAGE);
}

/* As root, another user's known_hosts (HOME kept under sudo) is not written. */
static void test_add_root_other_owner(void **state)
{
	char dir[64], file[96];
	struct err e;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(dir, sizeof(dir), "/tmp/rd-khdir-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/known_hosts", dir);
	err_clear(&e);
	assert_int_equal(knownhosts_add(file, "relay.example.com", blob1, len1, 0, &e), 0);
	assert_int_equal(chown(file, 65534, 65534), 0);
	err_clear(&e);
	assert_int_equal(knownhosts_add(file, "other.example.com", blob2, len2, 0, &e), -1);
	assert_non_null(strstr(e.msg, "belongs to uid 65534"));
	assert_non_null(strstr(e.msg, "--known-hosts"));
	unlink(file);
	assert_int_equal(chown(dir, 65534, 65534), 0);
	err_clear(&e);
	assert_int_equal(knownhosts_add(file, "other.example.com", blob2, len2, 0, &e), -1);
	assert_int_equal(access(file, F_OK), -1);
	rmdir(dir);
}

/* As root, a missing ~/.ssh in another user's HOME (kept under sudo) is
 * not created: a directory of root's would appear in that user's home. */
static void test_add_root_other_home(void **state)
{
	char home[64], ssh[96], file[128];
	struct err e;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(home, sizeof(home), "/tmp/rd-khhome-XXXXXX");
	assert_non_null(mkdtemp(home));
	assert_int_equal(chown(home, 65534, 65534), 0);
	snprintf(ssh, sizeof(ssh), "%s/.ssh", home);
	snprintf(file, sizeof(file), "%s/known_hosts", ssh);
	err_clear(&e);
	assert_int_equal(knownhosts_add(file, "relay.example.com", blob1, len1, 0, &e), -1);
	assert_non_null(strstr(e.msg, "belongs to uid 65534"));
	assert_int_equal(access(ssh, F_OK), -1);
	unlink(file);
	rmdir(ssh);
	rmdir(home);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_host_name),
		cmocka_unit_test(test_fingerprint_and_type),
		cmocka_unit_test(test_match_unknown_changed),
		cmocka_unit_test(test_hashed_port_revoked),
		cmocka_unit_test(test_types_order),
		cmocka_unit_test(test_spec_parse),
		cmocka_unit_test(test_add_root_other_owner),
		cmocka_unit_test(test_add_root_other_home),
	};

	len1 = decode(K1, blob1);
	len2 = decode(K2, blob2);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
