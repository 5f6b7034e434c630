/*
 * params - the relay settings catalog and facts read from the host's
 * Postfix. See params.h.
 *
 * The catalog is static data in display order. Choices are the sets
 * Postfix 3.7 accepts (postconf(5)). Defaults are never stored here:
 * params_host_load asks the host (`postconf -c DIR -d`, ~1000 lines),
 * keeps the output in one buffer and indexes it with an open-addressing
 * hash table, so lookups cost one probe sequence and no allocation.
 *
 * Ownership: params_host_free releases everything params_host_load made.
 * Errors: -1 with struct err; validation messages are one line, start
 * with the parameter name and say which form is expected.
 */
#include "config.h"
#include "params.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "target.h"
#include "valid.h"

static const char *const tls_levels[] = {
	"none", "may", "encrypt", "dane", "dane-only", "fingerprint", "verify", "secure", NULL
};
static const char *const tls_ciphers[] = { "export", "low", "medium", "high", "null", NULL };
static const char *const tls_digests[] = {
	"md5", "sha1", "sha224", "sha256", "sha384", "sha512", NULL
};
static const char *const tls_loglevels[] = { "0", "1", "2", "3", "4", NULL };
static const char *const sasl_options[] = {
	"noplaintext", "noactive", "nodictionary", "noanonymous", "mutual_auth", NULL
};
static const char *const inet_protos[] = { "all", "ipv4", "ipv6", NULL };

static const struct param_def catalog[] = {
	/* Relay */
	{ "relayhost", PG_RELAY, PT_NEXTHOP, NULL,
	  "The smart host all outbound mail goes to. Use [host]:port with brackets so "
	  "Postfix connects to that host directly instead of looking up its MX records." },
	{ "smtp_fallback_relay", PG_RELAY, PT_NEXTHOP_LIST, NULL,
	  "Next hops tried when the normal destination or smart host cannot be reached. "
	  "A second provider here keeps mail moving during an outage." },
	{ "sender_dependent_relayhost_maps", PG_RELAY, PT_TABLES, NULL,
	  "Table from sender address or @domain to a next hop, to send each sender's mail "
	  "through its own smart host. It overrides relayhost for matching senders." },
	{ "transport_maps", PG_RELAY, PT_TABLES, NULL,
	  "Table from recipient domain to transport and next hop, for routing some "
	  "destinations around the smart host (e.g. internal domains)." },
	{ "myhostname", PG_RELAY, PT_STRING, NULL,
	  "The host's fully qualified name, sent in EHLO. Smart hosts and receivers "
	  "may reject mail when it is not a real, resolvable name." },
	{ "inet_interfaces", PG_RELAY, PT_LIST, NULL,
	  "Addresses the SMTP server listens on. A pure outbound relay for local programs "
	  "can use loopback-only so it accepts no mail from the network." },
	{ "inet_protocols", PG_RELAY, PT_LIST, inet_protos,
	  "IP versions Postfix uses: all, ipv4 or ipv6. Set ipv4 when the host has IPv6 "
	  "addresses but no working IPv6 route to the smart host." },

	/* TLS */
	{ "smtp_tls_security_level", PG_TLS, PT_ENUM, tls_levels,
	  "How strictly the client encrypts to the next hop. For a smart host with "
	  "credentials use encrypt or better (verify, secure) so the password never "
	  "crosses the network in clear text." },
	{ "smtp_tls_wrappermode", PG_TLS, PT_BOOL, NULL,
	  "Speak TLS from the first byte (implicit TLS, port 465) instead of STARTTLS. "
	  "Needs smtp_tls_security_level encrypt or stronger." },
	{ "smtp_tls_CAfile", PG_TLS, PT_FILE, NULL,
	  "File with the CA certificates used to verify the smart host's certificate "
	  "at the verify and secure levels, e.g. /etc/ssl/certs/ca-certificates.crt." },
	{ "smtp_tls_CApath", PG_TLS, PT_FILE, NULL,
	  "Directory of hashed CA certificates, an alternative to smtp_tls_CAfile, "
	  "e.g. /etc/ssl/certs." },
	{ "smtp_tls_mandatory_protocols", PG_TLS, PT_TLS_PROTOCOLS, NULL,
	  "TLS versions allowed when TLS is mandatory (encrypt and above). >=TLSv1.2 "
	  "refuses old protocols most providers have retired." },
	{ "smtp_tls_protocols", PG_TLS, PT_TLS_PROTOCOLS, NULL,
	  "TLS versions allowed for opportunistic TLS (level may). Kept wider than the "
	  "mandatory set so more servers can still encrypt." },
	{ "smtp_tls_mandatory_ciphers", PG_TLS, PT_ENUM, tls_ciphers,
	  "Minimum cipher grade when TLS is mandatory. medium suits nearly every smart "
	  "host; high if yours supports it." },
	{ "smtp_tls_fingerprint_digest", PG_TLS, PT_ENUM, tls_digests,
	  "Digest used for certificate fingerprints at the fingerprint level. sha256 "
	  "is the current choice; md5 and sha1 remain only for old pins." },
	{ "smtp_tls_fingerprint_cert_match", PG_TLS, PT_LIST, NULL,
	  "Pinned certificate or public-key fingerprints of the smart host for the "
	  "fingerprint level; mail is deferred when none matches." },
	{ "smtp_tls_policy_maps", PG_TLS, PT_TABLES, NULL,
	  "Table with a TLS level per next hop, e.g. [smtp.example.com]:587 secure, "
	  "to be strict with the smart host without affecting other destinations." },
	{ "smtp_tls_loglevel", PG_TLS, PT_ENUM, tls_loglevels,
	  "How much the client logs about TLS: 1 logs the handshake summary, which is "
	  "enough to see protocol, cipher and verification result." },

	/* SASL */
	{ "smtp_sasl_auth_enable", PG_SASL, PT_BOOL, NULL,
	  "Log in to the smart host with SASL. Needed by every provider that asks "
	  "for a user name and password." },
	{ "smtp_sasl_password_maps", PG_SASL, PT_TABLES, NULL,
	  "Table from next hop (as written in relayhost) or sender to user:password. "
	  "Keep the source file 0600 and rebuild it with postmap after edits." },
	{ "smtp_sasl_security_options", PG_SASL, PT_LIST, sasl_options,
	  "SASL mechanism restrictions on unencrypted sessions. The default forbids "
	  "plaintext and anonymous logins so a password is never sent in clear." },
	{ "smtp_sasl_tls_security_options", PG_SASL, PT_LIST, sasl_options,
	  "SASL mechanism restrictions inside TLS. Usually noanonymous, which allows "
	  "PLAIN and LOGIN once the session is encrypted." },
	{ "smtp_sasl_mechanism_filter", PG_SASL, PT_LIST, NULL,
	  "Mechanisms the client may use even if the server offers more, e.g. plain, "
	  "login, to avoid ones the local SASL library cannot complete." },
	{ "smtp_sender_dependent_authentication", PG_SASL, PT_BOOL, NULL,
	  "Look up credentials by sender address first, so different senders log in "
	  "to the smart host with different accounts." },

	/* Limits */
	{ "default_destination_rate_delay", PG_LIMITS, PT_DURATION_MS, NULL,
	  "Pause between deliveries to the same destination, for all transports. A "
	  "non-zero value keeps under a provider's messages-per-second limit." },
	{ "default_destination_recipient_limit", PG_LIMITS, PT_INT, NULL,
	  "Most recipients per message delivery, for all transports. Lower it when the "
	  "smart host limits recipients per message." },
	{ "default_destination_concurrency_limit", PG_LIMITS, PT_INT, NULL,
	  "Most parallel deliveries to one destination, for all transports. Providers "
	  "often cap simultaneous connections per account." },
	{ "smtp_destination_concurrency_limit", PG_LIMITS, PT_INT, NULL,
	  "Most parallel SMTP deliveries to one destination. With a smart host every "
	  "message has the same destination, so this caps connections to it." },
	{ "smtp_destination_rate_delay", PG_LIMITS, PT_DURATION_MS, NULL,
	  "Pause between SMTP deliveries to the same destination, e.g. 1s to stay "
	  "under a provider's send rate. Whole seconds only on Postfix 3.7." },
	{ "smtp_destination_recipient_limit", PG_LIMITS, PT_INT, NULL,
	  "Most recipients per SMTP delivery. Match the smart host's per-message "
	  "recipient limit to avoid partial rejections." },

	/* Queue & retry */
	{ "maximal_queue_lifetime", PG_QUEUE, PT_DURATION, NULL,
	  "How long undeliverable mail stays queued before it bounces. Shorter values "
	  "tell senders sooner when the smart host keeps refusing mail." },
	{ "bounce_queue_lifetime", PG_QUEUE, PT_DURATION, NULL,
	  "How long bounce messages are retried before they are dropped. Usually no "
	  "longer than maximal_queue_lifetime." },
	{ "minimal_backoff_time", PG_QUEUE, PT_DURATION, NULL,
	  "Shortest wait before retrying deferred mail, and how long an unreachable "
	  "smart host is skipped." },
	{ "maximal_backoff_time", PG_QUEUE, PT_DURATION, NULL,
	  "Longest wait between retries of deferred mail, so mail moves again soon "
	  "after the smart host recovers." },
	{ "queue_run_delay", PG_QUEUE, PT_DURATION, NULL,
	  "How often the deferred queue is scanned for mail due for another attempt. "
	  "Keep it at or below minimal_backoff_time." },

	/* Connection cache */
	{ "smtp_connection_cache_on_demand", PG_CACHE, PT_BOOL, NULL,
	  "Reuse SMTP connections when mail piles up for one destination. Saves a TLS "
	  "handshake and login per message to the smart host." },
	{ "smtp_connection_cache_destinations", PG_CACHE, PT_LIST, NULL,
	  "Destinations whose connections are always cached, e.g. the smart host "
	  "[smtp.example.com]:587, even when mail is not piling up." },
	{ "smtp_connection_cache_time_limit", PG_CACHE, PT_DURATION, NULL,
	  "How long an idle cached connection is kept open. Keep it below the smart "
	  "host's idle timeout." },
	{ "smtp_connection_reuse_time_limit", PG_CACHE, PT_DURATION, NULL,
	  "How long one connection may be reused in total, after which it is closed "
	  "so a provider's per-session limits are not hit." },

	/* Rewriting */
	{ "myorigin", PG_REWRITE, PT_STRING, NULL,
	  "Domain appended to bare local sender names such as root or cron. Set it to "
	  "a domain the smart host accepts as a sender." },
	{ "smtp_generic_maps", PG_REWRITE, PT_TABLES, NULL,
	  "Table that rewrites local addresses to real ones as mail leaves, e.g. "
	  "root@host.local to alerts@example.com, so the smart host accepts the sender." },
	{ "sender_canonical_maps", PG_REWRITE, PT_TABLES, NULL,
	  "Table that rewrites envelope and header sender addresses for all mail, when "
	  "the provider only accepts verified sender addresses." },
	{ "smtp_header_checks", PG_REWRITE, PT_TABLES, NULL,
	  "Regexp or pcre table applied to headers as mail leaves, e.g. to remove "
	  "internal Received headers before the smart host." },

	/* Restrictions */
	{ "smtpd_relay_restrictions", PG_RESTRICT, PT_RESTRICTIONS, NULL,
	  "Who may relay through this host. Keep permit_mynetworks and "
	  "reject_unauth_destination so it never becomes an open relay." },
	{ "smtpd_recipient_restrictions", PG_RESTRICT, PT_RESTRICTIONS, NULL,
	  "Further recipient checks after the relay rules, e.g. policy services. "
	  "Usually empty on a pure outbound relay." },
	{ "mynetworks", PG_RESTRICT, PT_NETWORKS, NULL,
	  "Clients trusted to relay mail through this host. List only your own "
	  "servers; anything wider lets strangers use your smart host account." },

	/* Debug */
	{ "debug_peer_list", PG_DEBUG, PT_NETWORKS, NULL,
	  "Hosts or networks for which Postfix logs more detail, e.g. the smart "
	  "host's address while you chase a login or TLS problem." },
	{ "debug_peer_level", PG_DEBUG, PT_INT, NULL,
	  "How much more is logged for hosts in debug_peer_list. 2 is usually enough." },
};

#define CATALOG_COUNT (sizeof(catalog) / sizeof(catalog[0]))

const struct param_def *params_catalog(size_t *count)
{
	if (count)
		*count = CATALOG_COUNT;
	return catalog;
}

const struct param_def *params_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < CATALOG_COUNT; i++)
		if (strcmp(catalog[i].name, name) == 0)
			return &catalog[i];
	return NULL;
}

const char *params_group_name(enum param_group g)
{
	static const char *const names[PG_COUNT] = {
		"Relay", "TLS", "SASL", "Limits", "Queue & retry", "Connection cache",
		"Rewriting", "Restrictions", "Debug"
	};

	return (unsigned)g < PG_COUNT ? names[g] : "?";
}

const char *params_type_name(enum param_type t)
{
	switch (t) {
	case PT_STRING:		return "string";
	case PT_NEXTHOP:	return "next hop";
	case PT_NEXTHOP_LIST:	return "next hop list";
	case PT_BOOL:		return "yes/no";
	case PT_ENUM:		return "choice";
	case PT_DURATION:	return "time";
	case PT_DURATION_MS:	return "time";
	case PT_INT:		return "number";
	case PT_LIST:		return "list";
	case PT_TABLES:		return "lookup tables";
	case PT_FILE:		return "path";
	case PT_RESTRICTIONS:	return "restrictions";
	case PT_NETWORKS:	return "networks";
	case PT_TLS_PROTOCOLS:	return "TLS protocols";
	}
	return "?";
}

/* ------------------------------------------------------------------ host */

struct host_entry {
	const char *name;
	const char *value;
};

struct params_host {
	char *defaults;			/* postconf -d output, split in place */
	struct host_entry *slots;	/* open addressing, nslots a power of two */
	size_t nslots;
	size_t count;
	char *types_text;		/* postconf -m output, split in place */
	char **types;
	size_t ntypes;
};

/* name_hash - FNV-1a; parameter names are short ASCII. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* host_slot - the slot holding name, or the empty slot where it would go. */
static struct host_entry *host_slot(const struct params_host *h, const char *name)
{
	size_t mask = h->nslots - 1;
	size_t i = name_hash(name) & mask;

	while (h->slots[i].name && strcmp(h->slots[i].name, name) != 0)
		i = (i + 1) & mask;
	return &h->slots[i];
}

/* run_postconf - postconf [-c DIR] FLAG; stdout handed to the caller. */
static int run_postconf(struct target *t, int with_dir, const char *flag, char **out,
			struct err *e)
{
	const char *argv[5];
	struct run_out ro;
	int n = 0;

	argv[n++] = "postconf";
	if (with_dir && t->config_dir) {
		argv[n++] = "-c";
		argv[n++] = t->config_dir;
	}
	argv[n++] = flag;
	argv[n] = NULL;
	run_out_init(&ro);
	if (target_run_ok(t, argv, NULL, &ro, RUN_TIMEOUT_DEFAULT_MS, e) < 0) {
		run_out_free(&ro);
		return -1;
	}
	if (ro.out.data == NULL && buf_puts(&ro.out, "") < 0) {
		run_out_free(&ro);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	*out = buf_steal(&ro.out);
	run_out_free(&ro);
	return 0;
}

/* parse_defaults - index "name = value" / "name =" lines of postconf -d. */
static int parse_defaults(struct params_host *h, struct err *e)
{
	size_t lines = 1, lineno = 0;
	char *p, *nl;

	for (p = h->defaults; *p; p++)
		lines += (*p == '\n');
	for (h->nslots = 64; h->nslots < lines * 2; h->nslots *= 2)
		;
	if ((h->slots = calloc(h->nslots, sizeof(*h->slots))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (p = h->defaults; *p; p = nl) {
		char *eq, *end;
		struct host_entry *slot;

		lineno++;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		else
			nl = p + strlen(p);
		if (*p == '\0')
			continue;
		eq = strstr(p, " =");
		if (eq == NULL || eq == p || (eq[2] != '\0' && eq[2] != ' '))
			return err_set(e, ERR_PARSE, "postconf -d: line %zu: expected 'name = value'",
				       lineno);
		*eq = '\0';
		end = eq[2] ? eq + 3 : eq + 2;
		slot = host_slot(h, p);
		if (slot->name == NULL)
			h->count++;
		slot->name = p;
		slot->value = end;
	}
	if (h->count == 0)
		return err_set(e, ERR_PARSE, "postconf -d printed no parameters");
	return 0;
}

/* parse_types - one table type per line of postconf -m. */
static int parse_types(struct params_host *h, struct err *e)
{
	size_t n = 0;
	char *p, *nl;

	if (valid_map_type_list(h->types_text, e) < 0) {
		char tmp[sizeof(e->msg)];

		snprintf(tmp, sizeof(tmp), "postconf -m: %.480s", e->msg);
		return err_set(e, ERR_PARSE, "%s", tmp);
	}
	for (p = h->types_text; *p; p++)
		n += (*p == '\n');
	if ((h->types = calloc(n + 2, sizeof(*h->types))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (p = h->types_text; *p; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		else
			nl = p + strlen(p);
		if (*p)
			h->types[h->ntypes++] = p;
	}
	return 0;
}

/* host_load - postconf -d always; postconf -m only when with_types. */
static struct params_host *host_load(struct target *t, int with_types, struct err *e)
{
	struct params_host *h;

	if (t == NULL) {
		err_set(e, ERR_USAGE, "params_host_load: no target");
		return NULL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (run_postconf(t, 1, "-d", &h->defaults, e) < 0 || parse_defaults(h, e) < 0) {
		params_host_free(h);
		return NULL;
	}
	if (!with_types)
		return h;
	/* `postconf -m` evaluates main.cf and dies on, e.g., a myorigin file that
	 * does not exist; the table types are a property of the installed Postfix,
	 * so ask again without the config dir before giving up. */
	if ((run_postconf(t, 1, "-m", &h->types_text, e) < 0
	     && run_postconf(t, 0, "-m", &h->types_text, e) < 0)
	    || parse_types(h, e) < 0) {
		params_host_free(h);
		return NULL;
	}
	return h;
}

struct params_host *params_host_load(struct target *t, struct err *e)
{
	return host_load(t, 1, e);
}

struct params_host *params_host_load_defaults(struct target *t, struct err *e)
{
	return host_load(t, 0, e);
}

void params_host_free(struct params_host *h)
{
	if (h == NULL)
		return;
	free(h->defaults);
	free(h->slots);
	free(h->types_text);
	free(h->types);
	free(h);
}

const char *params_host_default(const struct params_host *h, const char *name)
{
	if (h == NULL || name == NULL || h->slots == NULL)
		return NULL;
	return host_slot(h, name)->value;
}

int params_host_known(const struct params_host *h, const char *name)
{
	return params_host_default(h, name) != NULL;
}

int params_host_has_map_type(const struct params_host *h, const char *type)
{
	if (h == NULL || type == NULL)
		return 0;
	for (size_t i = 0; i < h->ntypes; i++)
		if (strcmp(h->types[i], type) == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------ validation */

/* fail_as - prefix the validator's reason with the parameter name. */
static int fail_as(struct err *e, const char *name)
{
	char tmp[sizeof(e->msg)];
	enum err_code code = e->code ? e->code : ERR_INVALID;

	snprintf(tmp, sizeof(tmp), "%s", e->msg);
	return err_set(e, code, "%s: %s", name, tmp);
}

/* type_ctx - what the table-type callback needs to name the problem. */
struct type_ctx {
	const struct params_host *host;
};

/* check_type_supported - a table type must appear in the host's postconf -m. */
static int check_type_supported(const char *type, void *ctx, struct err *e)
{
	const struct params_host *h = ((struct type_ctx *)ctx)->host;
	struct buf b = BUF_INIT;
	size_t i;

	if (params_host_has_map_type(h, type))
		return 0;
	buf_init(&b, 400);
	for (i = 0; i < h->ntypes; i++)
		if (buf_printf(&b, "%s%s", i ? ", " : "", h->types[i]) < 0)
			break;
	if (i < h->ntypes)
		buf_puts(&b, ", ...");
	err_set(e, ERR_INVALID, "table type '%s' is not supported here (postconf -m lists: %s)",
		type, b.data ? b.data : "");
	buf_free(&b);
	return -1;
}

/* check_tables - each item a table reference whose types the host supports. */
static int check_tables(const struct params_host *host, const char *value, struct err *e)
{
	struct type_ctx ctx = { host };
	char **items;
	size_t n;
	int rc = 0;

	if (valid_list_split(value, &items, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (valid_param_ref(items[i]))
			continue;
		rc = valid_table_each_type(items[i], host ? check_type_supported : NULL, &ctx, e);
	}
	valid_list_free(items);
	return rc;
}

/* in_choices - value is one of the NULL-terminated choices. */
static int in_choices(const char *const *choices, const char *v)
{
	for (size_t i = 0; choices[i]; i++)
		if (strcmp(choices[i], v) == 0)
			return 1;
	return 0;
}

/* choices_fail - "expected one of a, b, c, got 'x'". */
static int choices_fail(struct err *e, const char *const *choices, const char *v)
{
	struct buf b = BUF_INIT;
	char q[80];

	buf_init(&b, 300);
	for (size_t i = 0; choices[i]; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", choices[i]);
	snprintf(q, sizeof(q), "%s", v);
	err_set(e, ERR_INVALID, "expected one of %s, got '%s'", b.data ? b.data : "", q);
	buf_free(&b);
	return -1;
}

/* check_network_item - one mynetworks/debug_peer_list element. */
static int check_network_item(const struct params_host *host, const char *it, struct err *e)
{
	char q[80];

	if (*it == '!')
		it++;
	if (valid_param_ref(it))
		return 0;
	if (*it == '/')
		return strpbrk(it, " \t") ? err_set(e, ERR_INVALID, "bad file name '%s'", it) : 0;
	if (*it == '[') {
		const char *close = strchr(it, ']');
		char addr[64];
		size_t len;

		if (strchr(it, '/'))
			return valid_cidr(it, e);
		if (close == NULL || close[1] != '\0' || (len = (size_t)(close - it - 1)) >= sizeof(addr))
			return err_set(e, ERR_INVALID, "expected [ipv6] or [ipv6]/len, got '%s'",
				       it);
		memcpy(addr, it + 1, len);
		addr[len] = '\0';
		return valid_ipv6(addr, e);
	}
	if (strchr(it, '/') && strchr(it, ':') == NULL)
		return valid_cidr(it, e);
	if (strchr(it, ':')) {
		struct err ie;

		err_clear(&ie);
		if (valid_ipv6(it, &ie) == 0)
			return err_set(e, ERR_INVALID, "put IPv6 addresses in brackets: [%s]", it);
		return check_tables(host, it, e);
	}
	if (valid_ipv4(it, e) == 0)
		return 0;
	if (valid_hostname(it + (*it == '.'), e) == 0)
		return 0;
	snprintf(q, sizeof(q), "%s", it);
	return err_set(e, ERR_INVALID,
		       "expected a network a.b.c.d/len, [ipv6]/len, an address, a host name, "
		       "type:table or /file, got '%s'", q);
}

/* restriction_takes_arg - restrictions whose next list item is their argument. */
static int restriction_takes_arg(const char *r)
{
	static const char *const with_arg[] = {
		"reject_rbl_client", "reject_rhsbl_client", "reject_rhsbl_sender",
		"reject_rhsbl_helo", "reject_rhsbl_recipient", "reject_rhsbl_reverse_client",
		"permit_dnswl_client", "permit_rhswl_client", "reject_dnsbl_client", NULL
	};

	return strncmp(r, "check_", 6) == 0 || in_choices(with_arg, r);
}

/* check_restrictions - names, each argument-taking one followed by its argument. */
static int check_restrictions(const struct params_host *host, const char *value, struct err *e)
{
	char **items;
	size_t n;
	int rc = 0, want_arg = 0;
	const char *prev = NULL;

	if (valid_list_split(value, &items, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *it = items[i];

		if (valid_param_ref(it)) {
			want_arg = 0;
		} else if (want_arg) {
			if (strchr(it, ':') && strncmp(prev, "check_policy", 12) != 0)
				rc = check_tables(host, it, e);
			want_arg = 0;
		} else if (strchr(it, ':') || strchr(it, '{')) {
			rc = check_tables(host, it, e);
		} else {
			struct err te;

			err_clear(&te);
			if (valid_map_type(it, &te) < 0) {
				char q[80];

				snprintf(q, sizeof(q), "%s", it);
				rc = err_set(e, ERR_INVALID,
					     "'%s' is not a restriction name (e.g. permit_mynetworks, reject_unauth_destination)",
					     q);
			}
			want_arg = restriction_takes_arg(it);
			prev = it;
		}
	}
	if (rc == 0 && want_arg)
		rc = err_set(e, ERR_INVALID, "'%s' needs an argument after it", prev);
	valid_list_free(items);
	return rc;
}

/* check_list - split the value and check each item with check(). */
static int check_list(const struct params_host *host, const char *value,
		      int (*check)(const struct params_host *, const char *, struct err *),
		      struct err *e)
{
	char **items;
	size_t n;
	int rc = 0;

	if (valid_list_split(value, &items, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (check && !valid_param_ref(items[i]))
			rc = check(host, items[i], e);
	valid_list_free(items);
	return rc;
}

/* item_interface - inet_interfaces: all, loopback-only, an address or a name. */
static int item_interface(const struct params_host *host, const char *it, struct err *e)
{
	char q[80];

	(void)host;
	if (strcmp(it, "all") == 0 || strcmp(it, "loopback-only") == 0
	    || valid_ipv4(it, e) == 0 || valid_ipv6(it, e) == 0 || valid_hostname(it, e) == 0)
		return 0;
	if (*it == '[' && it[strlen(it) - 1] == ']') {
		char addr[64];
		size_t len = strlen(it) - 2;

		if (len < sizeof(addr)) {
			memcpy(addr, it + 1, len);
			addr[len] = '\0';
			if (valid_ipv6(addr, e) == 0)
				return 0;
		}
	}
	snprintf(q, sizeof(q), "%s", it);
	return err_set(e, ERR_INVALID,
		       "expected all, loopback-only, an IP address or a host name, got '%s'", q);
}

/* item_mechanism - SASL mechanism name (optionally !negated) or a table. */
static int item_mechanism(const struct params_host *host, const char *it, struct err *e)
{
	const char *p = it + (*it == '!');

	if (strchr(p, ':'))
		return check_tables(host, p, e);
	if (*p && strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
		      == strlen(p))
		return 0;
	return err_set(e, ERR_INVALID, "expected SASL mechanism names such as plain, login, got '%s'",
		       it);
}

/* item_fingerprint - hex pairs separated by ':' (as openssl prints them) or a table. */
static int item_fingerprint(const struct params_host *host, const char *it, struct err *e)
{
	size_t len = strlen(it);

	if (len >= 2 && strspn(it, "0123456789ABCDEFabcdef:") == len && strchr(it, ':'))
		return 0;
	if (strchr(it, ':') && strspn(it, "0123456789ABCDEFabcdef:") != len)
		return check_tables(host, it, e);
	return err_set(e, ERR_INVALID,
		       "expected fingerprints like AB:CD:EF:... (openssl x509 -fingerprint), got '%s'",
		       it);
}

/* item_cache_dest - a next hop ([host]:port, host) or a table. */
static int item_cache_dest(const struct params_host *host, const char *it, struct err *e)
{
	struct err ne;

	err_clear(&ne);
	if (valid_nexthop(it, &ne) == 0)
		return 0;
	if (*it != '[' && strchr(it, ':') && valid_table_ref(it, e) == 0)
		return check_tables(host, it, e);
	*e = ne;
	return -1;
}

/* item_network - adapter for check_list. */
static int item_network(const struct params_host *host, const char *it, struct err *e)
{
	return check_network_item(host, it, e);
}

/* nonzero_time - parameters Postfix requires to be non-zero (postconf(5)). */
static int nonzero_time(const char *name)
{
	static const char *const names[] = {
		"minimal_backoff_time", "maximal_backoff_time", "queue_run_delay",
		"smtp_connection_cache_time_limit", "smtp_connection_reuse_time_limit", NULL
	};

	return in_choices(names, name);
}

/* check_value - the type's rules; 0 or -1 with a reason not yet naming the parameter. */
static int check_value(const struct param_def *def, const struct params_host *host,
		       const char *v, struct err *e)
{
	const char *name = def->name;

	switch (def->type) {
	case PT_STRING:
		if ((strcmp(name, "myhostname") == 0 || strcmp(name, "myorigin") == 0)
		    && !valid_param_ref(v))
			return valid_hostname(v, e);
		return 0;
	case PT_NEXTHOP:
		return valid_param_ref(v) ? 0 : valid_nexthop(v, e);
	case PT_NEXTHOP_LIST:
		return valid_nexthop_list(v, e);
	case PT_BOOL:
		return valid_param_ref(v) ? 0 : valid_bool(v, e);
	case PT_ENUM:
		if (valid_param_ref(v))
			return 0;
		if (*v == '\0' && strcmp(name, "smtp_tls_security_level") == 0)
			return 0;	/* empty: Postfix falls back to the legacy smtp_use_tls */
		if (def->choices && !in_choices(def->choices, v))
			return choices_fail(e, def->choices, v);
		return 0;
	case PT_DURATION:
	case PT_DURATION_MS:
		if (valid_param_ref(v))
			return 0;
		if (valid_time(v, e) < 0)
			return -1;
		if (nonzero_time(name) && strspn(v, "0") == strspn(v, "0123456789"))
			return err_set(e, ERR_INVALID, "must be more than zero, got '%s'", v);
		return 0;
	case PT_INT:
		if (valid_param_ref(v))
			return 0;
		if (valid_uint(v, e) < 0)
			return -1;
		if (strcmp(name, "debug_peer_level") == 0 && strspn(v, "0") == strlen(v))
			return err_set(e, ERR_INVALID, "must be 1 or more, got '%s'", v);
		return 0;
	case PT_LIST:
		if (def->choices) {
			char **items;
			size_t n;
			int rc = 0;

			if (valid_list_split(v, &items, &n, e) < 0)
				return -1;
			for (size_t i = 0; i < n && rc == 0; i++)
				if (!valid_param_ref(items[i]) && !in_choices(def->choices, items[i]))
					rc = choices_fail(e, def->choices, items[i]);
			valid_list_free(items);
			return rc;
		}
		if (strcmp(name, "inet_interfaces") == 0)
			return check_list(host, v, item_interface, e);
		if (strcmp(name, "smtp_sasl_mechanism_filter") == 0)
			return check_list(host, v, item_mechanism, e);
		if (strcmp(name, "smtp_tls_fingerprint_cert_match") == 0)
			return check_list(host, v, item_fingerprint, e);
		if (strcmp(name, "smtp_connection_cache_destinations") == 0)
			return check_list(host, v, item_cache_dest, e);
		return check_list(host, v, NULL, e);
	case PT_TABLES:
		return check_tables(host, v, e);
	case PT_FILE:
		if (*v == '\0' || valid_param_ref(v) || strncmp(v, "$config_directory/", 18) == 0)
			return 0;
		if (*v != '/' || strpbrk(v, " \t"))
			return err_set(e, ERR_INVALID, "expected an absolute path such as "
				       "/etc/ssl/certs/ca-certificates.crt, got '%.80s'", v);
		return 0;
	case PT_RESTRICTIONS:
		return check_restrictions(host, v, e);
	case PT_NETWORKS:
		return check_list(host, v, item_network, e);
	case PT_TLS_PROTOCOLS:
		return valid_param_ref(v) ? 0 : valid_tls_protocols(v, e);
	}
	return 0;
}

int params_validate(const struct param_def *def, const struct params_host *host,
		    const char *value, struct err *e)
{
	if (def == NULL)
		return err_set(e, ERR_USAGE, "params_validate: no parameter");
	if (value == NULL)
		return err_set(e, ERR_INVALID, "%s: no value given", def->name);
	if (valid_single_line(value, strnlen(value, VALID_VALUE_MAX + 1), e) < 0)
		return fail_as(e, def->name);
	if (check_value(def, host, value, e) < 0)
		return fail_as(e, def->name);
	return 0;
}

/* name_ok - the characters Postfix parameter names use. */
static int name_ok(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len <= 128
	       && strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
			  == len;
}

int params_validate_name_value(const struct params_host *host, const char *name,
			       const char *value, struct err *e)
{
	const struct param_def *def;
	char q[140];

	if (name == NULL || *name == '\0')
		return err_set(e, ERR_INVALID, "no parameter name given");
	if (!name_ok(name)) {
		snprintf(q, sizeof(q), "%s", name);
		return err_set(e, ERR_INVALID,
			       "bad parameter name '%s' (letters, digits, '_', '.', '-')", q);
	}
	if ((def = params_find(name)) != NULL)
		return params_validate(def, host, value, e);
	if (host && !params_host_known(host, name))
		return err_set(e, ERR_INVALID, "unknown parameter %s", name);
	if (value == NULL)
		return err_set(e, ERR_INVALID, "%s: no value given", name);
	if (valid_single_line(value, strnlen(value, VALID_VALUE_MAX + 1), e) < 0)
		return fail_as(e, name);
	return 0;
}
