/*
 * test_secrecy - the pure half of core/secrecy: which password-parameter
 * values put a password into main.cf (static:, inline:, randmap:), in
 * every shape Postfix accepts, and which main.cf values are secret.
 * Table identities need a target and Postfix: test_changeset and
 * tests/integration/secret_tables.sh cover them.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "err.h"
#include "maincf.h"
#include "secrecy.h"

/* A literal table in a password parameter is refused wherever it sits:
 * Postfix's ${name?{value}} and ${name:{value}} forms (`postconf -x`
 * expands them to the literal), braces that do not balance, proxy:,
 * nesting. File tables pass, even with a literal type's name in the path. */
static void test_check_param(void **state)
{
	static const char *const refused[] = {
		"static:u:p",
		"hash:/etc/postfix/sasl_passwd, static:u:p",
		"hash:/etc/postfix/sasl_passwd,static:u:p",
		"proxy:static:u:p",
		"inline:{ [smtp.example.com]:587=u:p }",
		"unionmap:{ hash:/x, pipemap:{ proxy:randmap:{a,b} } }",
		"${smtp_tls_security_level?{static:u:Cond-S3cret}}",
		"${smtp_tls_security_level:{inline:{k=u:p}}}",
		"${smtp_tls_security_level?{hash:/x}:{static:u:p}}",
		"$(smtp_tls_security_level?static:u:p)",
		"static:u:p}",
		"{static:u:p",
	};
	static const char *const accepted[] = {
		"",
		"hash:/etc/postfix/sasl_passwd",
		"hash:/etc/postfix/sasl_passwd, proxy:lmdb:/etc/postfix/second",
		"texthash:/etc/postfix/static:creds",
		"hash:/etc/postfix/my-static:x",
		"unionmap:{ hash:/x, lmdb:/y }",
		"${smtp_tls_security_level?{hash:/etc/postfix/sasl_passwd}}",
	};
	struct err e;

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		err_clear(&e);
		if (secrecy_check_param("smtp_sasl_password_maps", refused[i], &e) != -1)
			fail_msg("accepted a password in main.cf: %s", refused[i]);
		assert_int_equal(e.code, ERR_INVALID);
		assert_non_null(strstr(e.msg, "every local user can read"));
		assert_int_equal(secrecy_param_secret("lmtp_sasl_password_maps", refused[i]), 1);
	}
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		err_clear(&e);
		if (secrecy_check_param("smtp_sasl_password_maps", accepted[i], &e) != 0)
			fail_msg("refused %s: %s", accepted[i], e.msg);
		assert_int_equal(secrecy_param_secret("smtp_sasl_password_maps", accepted[i]), 0);
	}
	/* other parameters may hold literal tables */
	err_clear(&e);
	assert_int_equal(secrecy_check_param("smtp_generic_maps", "static:x", &e), 0);
}

/* check_maincf - secrecy_check_maincf on a main.cf given as text. */
static int check_maincf(const char *text, struct err *e)
{
	struct maincf *m = maincf_parse("main.cf", text, strlen(text), e);
	int r;

	assert_non_null(m);
	r = secrecy_check_maincf(NULL, m, e);
	maincf_free(m);
	return r;
}

/* A literal reached through $name inside a conditional's text is found:
 * the text of ${name?{...}} is expanded like the rest of the value. */
static void test_check_maincf_conditional(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(check_maincf("relayhost = [smtp.example.com]:587\n"
				      "creds = static:u:Ref-S3cret\n"
				      "smtp_sasl_password_maps = ${relayhost?{$creds}}\n", &e), -1);
	assert_null(strstr(e.msg, "S3cret"));
	err_clear(&e);
	assert_int_equal(check_maincf("creds = static:u:Ref-S3cret\n"
				      "smtp_sasl_password_maps = ${relayhost:{${creds}}}\n", &e), -1);
	err_clear(&e);
	assert_int_equal(check_maincf("relayhost = [smtp.example.com]:587\n"
				      "creds = hash:/etc/postfix/sasl_passwd\n"
				      "smtp_sasl_password_maps = ${relayhost?{$creds}}\n", &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_param),
		cmocka_unit_test(test_check_maincf_conditional),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
