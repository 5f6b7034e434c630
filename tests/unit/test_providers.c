/*
 * test_providers - the provider catalog: the shipped file loads and has
 * every provider the setup wizard offers; a user's file adds and replaces
 * entries; bad YAML is refused with file:line:col; providers_settings
 * gives the right main.cf edits for STARTTLS and implicit-TLS ports, SES
 * regions, SendGrid's fixed user name and the IP-relay path.
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

#include "providers.h"

/* shipped - $top_srcdir/data/providers.yaml, loaded. */
static struct provider_catalog *shipped(void)
{
	char path[4096];
	const char *top = getenv("top_srcdir");
	struct provider_catalog *cat;
	struct err e;

	snprintf(path, sizeof(path), "%s/data/providers.yaml", top ? top : ".");
	cat = providers_load_file(path, &e);
	if (cat == NULL)
		fail_msg("%s: %s", path, e.msg);
	return cat;
}

/* parse - a catalog from a string. */
static struct provider_catalog *parse(const char *text, struct err *e)
{
	return providers_parse("t.yaml", text, strlen(text), e);
}

/* edit - value of name in the plan: "" for an unset edit, NULL when absent. */
static const char *edit(const struct prov_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->nedits; i++)
		if (strcmp(plan->edits[i].name, name) == 0)
			return plan->edits[i].value ? plan->edits[i].value : "";
	return NULL;
}

/* settings - providers_settings for id with host/region/port. */
static int settings(const struct provider_catalog *cat, const char *id, const char *host,
		    const char *region, int port, struct prov_plan *plan, struct err *e)
{
	const struct provider *p = providers_find(cat, id);
	struct prov_choice c = { .host = host, .region = region, .port = port,
				 .db_type = "lmdb", .config_dir = "/etc/postfix" };

	assert_non_null(p);
	return providers_settings(p, &c, plan, e);
}

static void test_shipped_loads(void **state)
{
	static const char *const ids[] = { "office365", "office365-connector", "gmail",
					   "google-workspace-relay", "sendgrid", "ses", "mailgun",
					   "postmark", "brevo", "custom" };
	struct provider_catalog *cat = shipped();
	const struct provider *p;

	(void)state;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		p = providers_find(cat, ids[i]);
		assert_non_null(p);
		assert_non_null(p->name);
		assert_true(p->nports > 0);
	}
	p = providers_find(cat, "ses");
	assert_true(p->nregions >= 20);
	assert_string_equal(p->default_region, "us-east-1");
	assert_int_equal(p->limits.per_second, 1);
	assert_int_equal(p->limits.recipients_per_message, 50);
	assert_int_equal(providers_port_tls(p, 2465), PROV_TLS_IMPLICIT);
	assert_int_equal(providers_port_tls(p, 2587), PROV_TLS_STARTTLS);
	p = providers_find(cat, "sendgrid");
	assert_string_equal(p->username, "apikey");
	p = providers_find(cat, "office365");
	assert_non_null(p->notice);
	assert_non_null(strstr(p->notice, "office365-connector"));
	assert_int_equal(providers_find(cat, "office365-connector")->auth, PROV_AUTH_NONE);
	assert_null(providers_find(cat, "custom")->host);
	assert_null(providers_find(cat, "nope"));
	providers_free(cat);
}

static void test_user_overrides(void **state)
{
	struct provider_catalog *cat = shipped(), *over;
	size_t n = cat->n;
	struct err e;

	(void)state;
	over = parse("providers:\n"
		     "  - id: sendgrid\n"
		     "    name: SendGrid via EU\n"
		     "    host: smtp.eu.sendgrid.net\n"
		     "    ports: [{port: 587, tls: starttls}]\n"
		     "    username: apikey\n"
		     "  - id: inhouse\n"
		     "    name: In-house relay\n"
		     "    host: relay.corp.example\n"
		     "    ports: [{port: 465, tls: implicit}]\n",
		     &e);
	assert_non_null(over);
	assert_int_equal(providers_merge(cat, over, &e), 0);
	assert_int_equal(cat->n, n + 1);
	assert_string_equal(providers_find(cat, "sendgrid")->host, "smtp.eu.sendgrid.net");
	assert_string_equal(providers_find(cat, "sendgrid")->name, "SendGrid via EU");
	assert_int_equal(providers_find(cat, "inhouse")->default_port, 465);
	assert_int_equal(providers_find(cat, "inhouse")->auth, PROV_AUTH_REQUIRED);
	assert_string_equal(providers_find(cat, "inhouse")->file, "t.yaml");
	providers_free(over);
	providers_free(cat);

	/* providers_load takes the user's file from $RELAYDECK_PROVIDERS. */
	{
		char shipped_path[4096], user[] = "/tmp/test_providers.XXXXXX";
		const char *top = getenv("top_srcdir");
		FILE *fp;
		int fd = mkstemp(user);

		assert_true(fd >= 0);
		fp = fdopen(fd, "w");
		fputs("providers:\n  - id: mine\n    name: Mine\n    host: mx.example.org\n"
		      "    ports: [{port: 25, tls: starttls}]\n",
		      fp);
		fclose(fp);
		snprintf(shipped_path, sizeof(shipped_path), "%s/data/providers.yaml",
			 top ? top : ".");
		setenv("RELAYDECK_PROVIDERS_CATALOG", shipped_path, 1);
		setenv("RELAYDECK_PROVIDERS", user, 1);
		cat = providers_load(&e);
		assert_non_null(cat);
		assert_non_null(providers_find(cat, "mine"));
		assert_non_null(providers_find(cat, "ses"));
		providers_free(cat);
		unlink(user);
		/* A named user file that is missing is an error. */
		cat = providers_load(&e);
		assert_null(cat);
		assert_int_equal(e.code, ERR_NOTFOUND);
		unsetenv("RELAYDECK_PROVIDERS");
		unsetenv("RELAYDECK_PROVIDERS_CATALOG");
	}
}

static void test_bad_yaml(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "providers:\n  - id: x\n    name: X\n    colour: red\n", "t.yaml:4:5: unknown key 'colour'" },
		{ "providers:\n  - &a {id: x, name: X, ports: [{port: 1, tls: starttls}]}\n",
		  "t.yaml:2:5: anchors are not allowed" },
		{ "base: &b {id: x}\nproviders: [*b]\n", "t.yaml:1:7: anchors are not allowed" },
		{ "providers:\n  - id: x\n    name: [\n", "t.yaml:4:1" },
		{ "providers:\n  - id: x\n    name: X\n    ports: [{port: 70000, tls: starttls}]\n",
		  "t.yaml:4:20: port: number out of range" },
		{ "providers:\n  - id: x\n    name: X\n    ports: [{port: 25, tls: ssl}]\n",
		  "t.yaml:4:29: tls: expected starttls or implicit, not 'ssl'" },
		{ "providers:\n  - id: x\n    name: X\n    host: a.{region}.example\n"
		  "    ports: [{port: 25, tls: starttls}]\n",
		  "needs regions" },
		{ "providers:\n  - id: Bad Id\n    name: X\n    ports: [{port: 25, tls: starttls}]\n",
		  "t.yaml:2:5: an entry needs an id" },
		{ "providers:\n  - id: x\n    name: X\n    ports: [{port: 25, tls: starttls}]\n"
		  "    default_port: 587\n",
		  "t.yaml:5:19: default_port: not one of the listed ports" },
		{ "providers:\n  - id: x\n    name: X\n    ports: [{port: 25, tls: starttls}]\n"
		  "  - id: x\n    name: Y\n    ports: [{port: 25, tls: starttls}]\n",
		  "id 'x' appears twice" },
		{ "providers:\n  - id: x\n    name: X\n    ports: [{port: 25, tls: starttls}]\n"
		  "    postfix: {relayhost: \"a\\nb\"}\n",
		  "expected a one-line value" },
		{ "providers: 3\n", "t.yaml:1:12: providers: expected a list" },
		{ "- a\n", "t.yaml:1:1: expected a mapping" },
		{ "other: 1\n", "t.yaml:1:1: unknown key 'other'" },
	};
	struct provider_catalog *cat;
	struct err e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cat = parse(cases[i].text, &e);
		if (cat != NULL || strstr(e.msg, cases[i].want) == NULL)
			fail_msg("case %zu: want '%s', got '%s'", i, cases[i].want,
				 cat ? "(loaded)" : e.msg);
		assert_int_equal(e.code, ERR_PARSE);
	}
	/* Empty input is an empty catalog. */
	cat = parse("", &e);
	assert_non_null(cat);
	assert_int_equal(cat->n, 0);
	providers_free(cat);
	assert_null(providers_parse("t.yaml", "providers:\n  - id: \"a\0b\"\n", 22, &e));
}

static void test_settings_starttls(void **state)
{
	struct provider_catalog *cat = shipped();
	struct prov_plan plan;
	struct err e;

	(void)state;
	assert_int_equal(settings(cat, "office365", NULL, NULL, 0, &plan, &e), 0);
	assert_string_equal(edit(&plan, "relayhost"), "[smtp.office365.com]:587");
	assert_string_equal(plan.nexthop, "[smtp.office365.com]:587");
	assert_string_equal(edit(&plan, "smtp_sasl_auth_enable"), "yes");
	assert_string_equal(edit(&plan, "smtp_sasl_password_maps"), "lmdb:/etc/postfix/sasl_passwd");
	assert_string_equal(edit(&plan, "smtp_sasl_security_options"), "noanonymous");
	assert_string_equal(edit(&plan, "smtp_sasl_tls_security_options"), "noanonymous");
	assert_string_equal(edit(&plan, "smtp_tls_security_level"), "encrypt");
	assert_string_equal(edit(&plan, "smtp_tls_wrappermode"), "");	/* unset */
	assert_null(edit(&plan, "smtp_tls_CAfile"));
	assert_string_equal(edit(&plan, "default_destination_rate_delay"), "2s");
	assert_int_equal(plan.tls, PROV_TLS_STARTTLS);
	providers_plan_free(&plan);

	/* Every provider with its default port gives a relayhost and encrypt. */
	for (size_t i = 0; i < cat->n; i++) {
		const char *host = cat->v[i].host ? NULL : "relay.example.net";

		assert_int_equal(settings(cat, cat->v[i].id, host, NULL, 0, &plan, &e), 0);
		assert_non_null(edit(&plan, "relayhost"));
		assert_string_equal(edit(&plan, "smtp_tls_security_level"), "encrypt");
		providers_plan_free(&plan);
	}
	providers_free(cat);
}

static void test_settings_implicit(void **state)
{
	struct provider_catalog *cat = shipped();
	const struct provider *p = providers_find(cat, "gmail");
	struct prov_choice c = { .port = 465, .db_type = "hash", .config_dir = "/etc/postfix",
				 .ca_file = "/etc/ssl/certs/ca-certificates.crt" };
	struct prov_plan plan;
	struct err e;

	(void)state;
	assert_int_equal(providers_settings(p, &c, &plan, &e), 0);
	assert_string_equal(edit(&plan, "relayhost"), "[smtp.gmail.com]:465");
	assert_string_equal(edit(&plan, "smtp_tls_wrappermode"), "yes");
	assert_string_equal(edit(&plan, "smtp_tls_security_level"), "encrypt");
	assert_string_equal(edit(&plan, "smtp_tls_CAfile"), "/etc/ssl/certs/ca-certificates.crt");
	assert_string_equal(edit(&plan, "smtp_sasl_password_maps"), "hash:/etc/postfix/sasl_passwd");
	assert_int_equal(plan.tls, PROV_TLS_IMPLICIT);
	providers_plan_free(&plan);

	/* SES: 2465 implicit, 2587 STARTTLS. */
	assert_int_equal(settings(cat, "ses", NULL, "eu-west-1", 2465, &plan, &e), 0);
	assert_string_equal(edit(&plan, "relayhost"), "[email-smtp.eu-west-1.amazonaws.com]:2465");
	assert_string_equal(edit(&plan, "smtp_tls_wrappermode"), "yes");
	providers_plan_free(&plan);
	assert_int_equal(settings(cat, "ses", NULL, "eu-west-1", 2587, &plan, &e), 0);
	assert_string_equal(edit(&plan, "smtp_tls_wrappermode"), "");
	providers_plan_free(&plan);

	/* A port the provider does not publish is refused, naming the choices. */
	assert_int_equal(settings(cat, "postmark", NULL, NULL, 465, &plan, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_non_null(strstr(e.msg, "587, 2525, 25"));
	/* A custom host takes any port; 2465 is implicit by convention. */
	assert_int_equal(settings(cat, "custom", "10.1.2.3", NULL, 2465, &plan, &e), 0);
	assert_string_equal(edit(&plan, "relayhost"), "[10.1.2.3]:2465");
	assert_string_equal(edit(&plan, "smtp_tls_wrappermode"), "yes");
	providers_plan_free(&plan);

	/* --tls: a custom host's implicit port elsewhere; never against the catalog. */
	c.host = "10.1.2.3";
	c.port = 10465;
	c.tls_set = 1;
	c.tls = PROV_TLS_IMPLICIT;
	assert_int_equal(providers_settings(providers_find(cat, "custom"), &c, &plan, &e), 0);
	assert_string_equal(edit(&plan, "smtp_tls_wrappermode"), "yes");
	providers_plan_free(&plan);
	c.host = NULL;
	c.port = 465;
	c.tls = PROV_TLS_STARTTLS;
	assert_int_equal(providers_settings(p, &c, &plan, &e), -1);
	assert_non_null(strstr(e.msg, "port 465 uses implicit TLS"));
	providers_free(cat);
}

static void test_settings_regions(void **state)
{
	struct provider_catalog *cat = shipped();
	const struct provider *ses = providers_find(cat, "ses");
	struct prov_plan plan;
	struct err e;
	char want[256];

	(void)state;
	for (size_t i = 0; i < ses->nregions; i++) {
		assert_int_equal(settings(cat, "ses", NULL, ses->regions[i].id, 0, &plan, &e), 0);
		snprintf(want, sizeof(want), "[email-smtp.%s.amazonaws.com]:587", ses->regions[i].id);
		assert_string_equal(edit(&plan, "relayhost"), want);
		assert_string_equal(edit(&plan, "default_destination_rate_delay"), "1s");
		assert_string_equal(edit(&plan, "default_destination_recipient_limit"), "50");
		providers_plan_free(&plan);
	}
	assert_int_equal(settings(cat, "ses", NULL, NULL, 0, &plan, &e), 0);
	assert_string_equal(plan.host, "email-smtp.us-east-1.amazonaws.com");
	providers_plan_free(&plan);
	assert_int_equal(settings(cat, "ses", NULL, "mars-north-1", 0, &plan, &e), -1);
	assert_non_null(strstr(e.msg, "unknown region 'mars-north-1'"));
	assert_int_equal(settings(cat, "mailgun", NULL, "eu", 0, &plan, &e), 0);
	assert_string_equal(edit(&plan, "relayhost"), "[smtp.eu.mailgun.org]:587");
	providers_plan_free(&plan);
	assert_int_equal(settings(cat, "sendgrid", NULL, "eu", 0, &plan, &e), -1);
	providers_free(cat);
}

static void test_settings_auth(void **state)
{
	struct provider_catalog *cat = shipped();
	const struct provider *p;
	struct prov_choice c = { .db_type = "hash", .config_dir = "/etc/postfix" };
	struct prov_plan plan;
	struct err e;

	(void)state;
	/* SendGrid: fixed user name, SASL on. */
	assert_int_equal(settings(cat, "sendgrid", NULL, NULL, 0, &plan, &e), 0);
	assert_string_equal(providers_find(cat, "sendgrid")->username, "apikey");
	assert_string_equal(edit(&plan, "relayhost"), "[smtp.sendgrid.net]:587");
	assert_string_equal(edit(&plan, "smtp_sasl_auth_enable"), "yes");
	assert_int_equal(plan.auth, 1);
	providers_plan_free(&plan);

	/* Office 365 connector: no AUTH, needs the tenant host. */
	assert_int_equal(settings(cat, "office365-connector", NULL, NULL, 0, &plan, &e), -1);
	assert_non_null(strstr(e.msg, "--host"));
	assert_int_equal(settings(cat, "office365-connector", "contoso-com.mail.protection.outlook.com",
				  NULL, 0, &plan, &e), 0);
	assert_string_equal(edit(&plan, "relayhost"), "[contoso-com.mail.protection.outlook.com]:25");
	assert_string_equal(edit(&plan, "smtp_sasl_auth_enable"), "no");
	assert_null(edit(&plan, "smtp_sasl_password_maps"));
	assert_null(plan.password_maps);
	assert_int_equal(plan.auth, 0);
	providers_plan_free(&plan);

	/* Optional AUTH may be turned off; required AUTH may not. */
	p = providers_find(cat, "google-workspace-relay");
	c.no_auth = 1;
	assert_int_equal(providers_settings(p, &c, &plan, &e), 0);
	assert_int_equal(plan.auth, 0);
	providers_plan_free(&plan);
	p = providers_find(cat, "gmail");
	assert_int_equal(providers_settings(p, &c, &plan, &e), -1);
	assert_non_null(strstr(e.msg, "requires SMTP AUTH"));

	/* Bad host names and IPv6 literals. */
	c.no_auth = 0;
	c.host = "bad host";
	p = providers_find(cat, "custom");
	assert_int_equal(providers_settings(p, &c, &plan, &e), -1);
	c.host = "2001:db8::25";
	assert_int_equal(providers_settings(p, &c, &plan, &e), 0);
	assert_string_equal(plan.nexthop, "[2001:db8::25]:587");
	providers_plan_free(&plan);
	providers_free(cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_loads),
		cmocka_unit_test(test_user_overrides),
		cmocka_unit_test(test_bad_yaml),
		cmocka_unit_test(test_settings_starttls),
		cmocka_unit_test(test_settings_implicit),
		cmocka_unit_test(test_settings_regions),
		cmocka_unit_test(test_settings_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
