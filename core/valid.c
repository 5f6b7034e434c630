/*
 * valid - pure validators for Postfix configuration values. See valid.h.
 *
 * Every function here is free of I/O: it looks at its argument and
 * answers 0 or -1 with a one-line reason in struct err. The reasons say
 * what form is expected, because an admin reads them in the console.
 *
 * Facts about Postfix 3.7 these checks follow:
 * - Time values (postconf(5), "Time units"): an integral value plus an
 *   optional ONE-letter unit s, m, h, d or w, lower case. There is no
 *   millisecond unit in 3.7, also not for default_destination_rate_delay
 *   or transport_destination_rate_delay. Tried on 3.7.11 with a private
 *   instance: qmgr rejects "5x", "1.5s", "2S", "100us" and "-1s" ("bad
 *   time value or unit"), but starts with "100ms", "1mm" or "5ss": the
 *   3.7 parser reads only the first letter after the number, so "100ms"
 *   silently means 100 minutes. We refuse "ms" (and any trailing junk)
 *   for that reason. The value must also fit an int once multiplied out.
 * - Booleans are compared case-insensitively with "yes"/"no".
 * - TLS protocol names: SSLv2 SSLv3 TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
 *   ">=" / "<=" bounds take a name or a hex version (0303, 0x0303) and no
 *   space after the operator; "!" exclusions take names only; separators
 *   are whitespace, comma or colon.
 * - Lists split on commas and/or whitespace; "{ }" groups one item.
 */
#include "config.h"
#include "valid.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NEXTHOP_FORMS "[host]:port, host:port or host"
#define TIME_FORMS "a whole number with an optional unit s, m, h, d or w (e.g. 30s, 5m, 1d)"

/* clip - the value quoted in a message, shortened so the message stays one line. */
static const char *clip(const char *s, char *out, size_t n)
{
	size_t len = strlen(s);

	if (len < n) {
		memcpy(out, s, len + 1);
		return out;
	}
	snprintf(out, n, "%.*s...", (int)(n - 4), s);
	return out;
}

/* check_input - NULL and oversized inputs are refused before any parsing. */
static int check_input(const char *s, size_t max, struct err *e)
{
	if (s == NULL)
		return err_set(e, ERR_INVALID, "no value given");
	if (strnlen(s, max + 1) > max)
		return err_set(e, ERR_LIMIT, "value longer than %zu bytes", max);
	return 0;
}

int valid_single_line(const char *s, size_t len, struct err *e)
{
	if (s == NULL)
		return err_set(e, ERR_INVALID, "no value given");
	if (len > VALID_VALUE_MAX)
		return err_set(e, ERR_LIMIT, "value longer than %d bytes", VALID_VALUE_MAX);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n' || s[i] == '\r')
			return err_set(e, ERR_INVALID,
				       "value contains a line break at byte %zu; Postfix values are one line",
				       i + 1);
		if (s[i] == '\0')
			return err_set(e, ERR_INVALID, "value contains a NUL byte at byte %zu", i + 1);
		/* the rule maincf_set applies: other controls change how Postfix
		 * splits the value, so refuse them before anything is staged */
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return err_set(e, ERR_INVALID,
				       "value contains a control character (0x%02x) at byte %zu",
				       (unsigned char)s[i], i + 1);
	}
	return 0;
}

int valid_hostname(const char *s, struct err *e)
{
	char q[80];
	size_t label = 0, i;
	int all_digits = 1;

	if (check_input(s, VALID_VALUE_MAX, e) < 0)
		return -1;
	if (*s == '\0')
		return err_set(e, ERR_INVALID, "empty host name");
	if (strlen(s) > VALID_HOSTNAME_MAX)
		return err_set(e, ERR_INVALID, "host name longer than %d bytes", VALID_HOSTNAME_MAX);
	for (i = 0; ; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.' || c == '\0') {
			if (label == 0)
				return err_set(e, ERR_INVALID, "empty label in host name '%s'",
					       clip(s, q, sizeof(q)));
			if (s[i - 1] == '-')
				return err_set(e, ERR_INVALID,
					       "label ends with '-' in host name '%s'",
					       clip(s, q, sizeof(q)));
			if (c == '\0')
				break;
			label = 0;
			all_digits = 1;
			continue;
		}
		if (!isalnum(c) && c != '-')
			return err_set(e, ERR_INVALID,
				       "invalid character '%c' in host name '%s' (letters, digits, '-' and '.' only)",
				       isprint(c) ? c : '?', clip(s, q, sizeof(q)));
		if (c == '-' && label == 0)
			return err_set(e, ERR_INVALID, "label starts with '-' in host name '%s'",
				       clip(s, q, sizeof(q)));
		if (!isdigit(c))
			all_digits = 0;
		if (++label > 63)
			return err_set(e, ERR_INVALID, "label longer than 63 bytes in host name '%s'",
				       clip(s, q, sizeof(q)));
	}
	if (all_digits)
		return err_set(e, ERR_INVALID,
			       "'%s' is neither a host name (last label is all digits) nor an IPv4 address",
			       clip(s, q, sizeof(q)));
	return 0;
}

/* ipv4_parse - dotted quad into 4 bytes; no leading zeros (they read as octal elsewhere). */
static int ipv4_parse(const char *s, unsigned char out[4])
{
	for (int part = 0; part < 4; part++) {
		unsigned v = 0;
		int digits = 0;

		if (part > 0 && *s++ != '.')
			return -1;
		while (isdigit((unsigned char)*s)) {
			if (digits > 0 && v == 0)
				return -1;
			v = v * 10 + (unsigned)(*s++ - '0');
			if (++digits > 3 || v > 255)
				return -1;
		}
		if (digits == 0)
			return -1;
		out[part] = (unsigned char)v;
	}
	return *s == '\0' ? 0 : -1;
}

int valid_ipv4(const char *s, struct err *e)
{
	unsigned char a[4];
	char q[80];

	if (check_input(s, VALID_VALUE_MAX, e) < 0)
		return -1;
	if (ipv4_parse(s, a) < 0)
		return err_set(e, ERR_INVALID,
			       "expected an IPv4 address a.b.c.d (0-255, no leading zeros), got '%s'",
			       clip(s, q, sizeof(q)));
	return 0;
}

/* ipv6_parse - RFC 4291 text form into 16 bytes (inet_pton is pure). */
static int ipv6_parse(const char *s, unsigned char out[16])
{
	if (strlen(s) >= INET6_ADDRSTRLEN || strchr(s, ':') == NULL)
		return -1;
	return inet_pton(AF_INET6, s, out) == 1 ? 0 : -1;
}

int valid_ipv6(const char *s, struct err *e)
{
	unsigned char a[16];
	char q[80];

	if (check_input(s, VALID_VALUE_MAX, e) < 0)
		return -1;
	if (ipv6_parse(s, a) < 0)
		return err_set(e, ERR_INVALID, "expected an IPv6 address such as 2001:db8::1, got '%s'",
			       clip(s, q, sizeof(q)));
	return 0;
}

/* port_number - 1-65535 from decimal digits only, else -1. */
static long port_number(const char *s)
{
	long v = 0;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
	}
	return (v >= 1 && v <= 65535) ? v : -1;
}

int valid_port(const char *s, struct err *e)
{
	char q[80];

	if (check_input(s, VALID_VALUE_MAX, e) < 0)
		return -1;
	if (port_number(s) < 0)
		return err_set(e, ERR_INVALID, "expected a port number 1-65535, got '%s'",
			       clip(s, q, sizeof(q)));
	return 0;
}

/* service_name - /etc/services style name (smtp, submission), which Postfix resolves. */
static int service_name(const char *s)
{
	if (!islower((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
			return 0;
	return 1;
}

/* nexthop_fail - the common "expected ..." message, with an optional reason. */
static int nexthop_fail(struct err *e, const char *s, const char *why)
{
	char q[120];

	return err_set(e, ERR_INVALID, "expected " NEXTHOP_FORMS ", got '%s'%s%s",
		       clip(s, q, sizeof(q)), why ? "; " : "", why ? why : "");
}

int valid_nexthop(const char *s, struct err *e)
{
	char host[VALID_HOSTNAME_MAX + 1];
	const char *port = NULL;
	size_t hlen;
	unsigned char a[16];

	if (check_input(s, VALID_VALUE_MAX, e) < 0)
		return -1;
	if (*s == '\0')
		return 0;
	if (strncmp(s, "inet:", 5) == 0 || strncmp(s, "unix:", 5) == 0)
		return nexthop_fail(e, s, "'inet:' and 'unix:' are LMTP forms");
	if (strpbrk(s, " \t,") != NULL)
		return nexthop_fail(e, s, "one next hop only, without spaces or commas");
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL)
			return nexthop_fail(e, s, NULL);
		hlen = (size_t)(close - s - 1);
		if (hlen == 0)
			return nexthop_fail(e, s, "nothing between '[' and ']'");
		if (hlen > VALID_HOSTNAME_MAX)
			return nexthop_fail(e, s, "host name too long");
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return nexthop_fail(e, s, "only ':port' may follow ']'");
		if (strchr(host, ':') != NULL) {
			if (ipv6_parse(host, a) < 0)
				return nexthop_fail(e, s, "bad IPv6 address inside [ ]");
		} else if (ipv4_parse(host, a) < 0) {
			struct err he;

			err_clear(&he);
			if (valid_hostname(host, &he) < 0)
				return nexthop_fail(e, s, he.msg);
		}
	} else {
		const char *colon = strchr(s, ':');

		if (strchr(s, '[') || strchr(s, ']'))
			return nexthop_fail(e, s, NULL);
		if (colon && strchr(colon + 1, ':'))
			return nexthop_fail(e, s, "put an IPv6 address in brackets: [2001:db8::1]:587");
		hlen = colon ? (size_t)(colon - s) : strlen(s);
		if (hlen == 0)
			return nexthop_fail(e, s, "no host before ':'");
		if (hlen > VALID_HOSTNAME_MAX)
			return nexthop_fail(e, s, "host name too long");
		memcpy(host, s, hlen);
		host[hlen] = '\0';
		if (colon)
			port = colon + 1;
		if (ipv4_parse(host, a) < 0) {
			struct err he;

			err_clear(&he);
			if (valid_hostname(host, &he) < 0)
				return nexthop_fail(e, s, he.msg);
		}
	}
	if (port && port_number(port) < 0 && !service_name(port))
		return nexthop_fail(e, s, "port must be 1-65535 or a service name such as submission");
	return 0;
}

int valid_nexthop_list(const char *s, struct err *e)
{
	char **items;
	size_t n;

	if (valid_list_split(s, &items, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (valid_param_ref(items[i]))
			continue;
		if (valid_nexthop(items[i], e) < 0) {
			valid_list_free(items);
			return -1;
		}
	}
	valid_list_free(items);
	return 0;
}

/* prefix_len - decimal 0..max, else -1. */
static int prefix_len(const char *s, int max)
{
	int v = 0;

	if (*s == '\0' || strlen(s) > 3)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v <= max ? v : -1;
}

/* host_bits_set - 1 when addr has bits set beyond len; clears them in addr. */
static int host_bits_set(unsigned char *addr, size_t bytes, int len)
{
	int set = 0;

	for (size_t i = 0; i < bytes; i++) {
		int keep = len - (int)i * 8;
		unsigned char mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));

		if (addr[i] & ~mask)
			set = 1;
		addr[i] &= mask;
	}
	return set;
}

int valid_cidr(const char *s, struct err *e)
{
	char q[80], addr[INET6_ADDRSTRLEN + 1], net[INET6_ADDRSTRLEN];
	unsigned char a[16];
	const char *slash;
	size_t alen;
	int len, v6;

	if (check_input(s, VALID_VALUE_MAX, e) < 0)
		return -1;
	v6 = (*s == '[');
	slash = strrchr(s, '/');
	if (slash == NULL)
		return err_set(e, ERR_INVALID,
			       "expected a network a.b.c.d/len or [ipv6]/len, got '%s' (no '/len')",
			       clip(s, q, sizeof(q)));
	if (v6) {
		if (slash == s || slash[-1] != ']')
			return err_set(e, ERR_INVALID, "expected [ipv6]/len, got '%s'",
				       clip(s, q, sizeof(q)));
		alen = (size_t)(slash - s - 2);
		if (alen >= sizeof(addr))
			return err_set(e, ERR_INVALID, "bad IPv6 address in '%s'", clip(s, q, sizeof(q)));
		memcpy(addr, s + 1, alen);
		addr[alen] = '\0';
		if (ipv6_parse(addr, a) < 0)
			return err_set(e, ERR_INVALID, "bad IPv6 address in '%s'", clip(s, q, sizeof(q)));
		if ((len = prefix_len(slash + 1, 128)) < 0)
			return err_set(e, ERR_INVALID, "prefix length must be 0-128 in '%s'",
				       clip(s, q, sizeof(q)));
	} else {
		alen = (size_t)(slash - s);
		if (alen >= sizeof(addr))
			return err_set(e, ERR_INVALID, "bad IPv4 address in '%s'", clip(s, q, sizeof(q)));
		memcpy(addr, s, alen);
		addr[alen] = '\0';
		if (strchr(addr, ':'))
			return err_set(e, ERR_INVALID,
				       "put an IPv6 network in brackets: [%s]/%s", addr, slash + 1);
		if (ipv4_parse(addr, a) < 0)
			return err_set(e, ERR_INVALID,
				       "expected a network a.b.c.d/len or [ipv6]/len, got '%s'",
				       clip(s, q, sizeof(q)));
		if ((len = prefix_len(slash + 1, 32)) < 0)
			return err_set(e, ERR_INVALID, "prefix length must be 0-32 in '%s'",
				       clip(s, q, sizeof(q)));
	}
	/* Postfix refuses a network whose host part is not zero; say which one was meant. */
	if (host_bits_set(a, v6 ? 16 : 4, len)) {
		inet_ntop(v6 ? AF_INET6 : AF_INET, a, net, sizeof(net));
		return err_set(e, ERR_INVALID, "host bits set in '%s'; did you mean %s%s%s/%d?",
			       clip(s, q, sizeof(q)), v6 ? "[" : "", net, v6 ? "]" : "", len);
	}
	return 0;
}

int valid_time(const char *s, struct err *e)
{
	char q[80];
	long long v = 0;
	long long mult;
	const char *p = s;

	if (check_input(s, VALID_VALUE_MAX, e) < 0)
		return -1;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (*p++ - '0');
		if (v > INT_MAX)
			return err_set(e, ERR_INVALID, "time value '%s' is too large",
				       clip(s, q, sizeof(q)));
	}
	if (p == s)
		return err_set(e, ERR_INVALID, "expected " TIME_FORMS ", got '%s'",
			       clip(s, q, sizeof(q)));
	if (strcmp(p, "ms") == 0)
		return err_set(e, ERR_INVALID,
			       "'%s': Postfix 3.7 has no millisecond unit and would read this as %lld minutes; use whole seconds such as 1s",
			       clip(s, q, sizeof(q)), v);
	if (p[0] != '\0' && p[1] != '\0')
		return err_set(e, ERR_INVALID, "expected " TIME_FORMS ", got '%s'",
			       clip(s, q, sizeof(q)));
	switch (*p) {
	case '\0':
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	case 'w':
		mult = 604800;
		break;
	default:
		return err_set(e, ERR_INVALID, "expected " TIME_FORMS ", got '%s'",
			       clip(s, q, sizeof(q)));
	}
	/* Postfix keeps seconds in an int and refuses values that overflow it. */
	if (mult > 1 && v >= INT_MAX / mult)
		return err_set(e, ERR_INVALID, "time value '%s' is too large", clip(s, q, sizeof(q)));
	return 0;
}

int valid_uint(const char *s, struct err *e)
{
	char q[80];
	long long v = 0;
	const char *p;

	if (check_input(s, VALID_VALUE_MAX, e) < 0)
		return -1;
	for (p = s; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return err_set(e, ERR_INVALID, "number '%s' is too large (at most %d)",
				       clip(s, q, sizeof(q)), INT_MAX);
	}
	if (p == s || *p != '\0')
		return err_set(e, ERR_INVALID, "expected a whole number 0 or more, got '%s'",
			       clip(s, q, sizeof(q)));
	return 0;
}

int valid_bool(const char *s, struct err *e)
{
	char q[80];

	if (check_input(s, VALID_VALUE_MAX, e) < 0)
		return -1;
	if (strcasecmp(s, "yes") != 0 && strcasecmp(s, "no") != 0)
		return err_set(e, ERR_INVALID, "expected yes or no, got '%s'", clip(s, q, sizeof(q)));
	return 0;
}

int valid_map_type(const char *s, struct err *e)
{
	char q[80];
	const char *p;

	if (check_input(s, VALID_VALUE_MAX, e) < 0)
		return -1;
	if (!islower((unsigned char)*s) || strlen(s) > 64)
		goto bad;
	for (p = s; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
			goto bad;
	return 0;
bad:
	return err_set(e, ERR_INVALID,
		       "bad table type '%s' (lower-case letters, digits and '_', e.g. hash)",
		       clip(s, q, sizeof(q)));
}

/* brace_end - index just past the '}' that closes the '{' at s[0], or 0. */
static size_t brace_end(const char *s)
{
	int depth = 0;

	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '{')
			depth++;
		else if (s[i] == '}' && --depth == 0)
			return i + 1;
	}
	return 0;
}

/* file_type - table types whose name is a file (or a client config file). */
static int file_type(const char *t)
{
	static const char *const types[] = {
		"hash", "btree", "lmdb", "cdb", "dbm", "sdbm", "regexp", "pcre", "cidr",
		"texthash", "ldap", "mysql", "pgsql", "sqlite", "memcache", NULL
	};

	for (int i = 0; types[i]; i++)
		if (strcmp(t, types[i]) == 0)
			return 1;
	return 0;
}

/* table_walk - check one table reference, calling fn on each type in it. */
static int table_walk(const char *s, int (*fn)(const char *, void *, struct err *), void *ctx,
		      struct err *e, int depth)
{
	char q[120], type[65];
	const char *colon, *name;
	size_t tlen;

	if (depth > 8)
		return err_set(e, ERR_INVALID, "table reference nested too deeply");
	colon = strchr(s, ':');
	if (colon == NULL || (tlen = (size_t)(colon - s)) == 0 || tlen >= sizeof(type)) {
		if (*s == '/')
			return err_set(e, ERR_INVALID,
				       "'%s' has no table type; write type:name, e.g. hash:%s",
				       clip(s, q, sizeof(q)), clip(s, q + 60, 60));
		return err_set(e, ERR_INVALID,
			       "expected a lookup table type:name (e.g. hash:/etc/postfix/sasl_passwd), got '%s'",
			       clip(s, q, sizeof(q)));
	}
	memcpy(type, s, tlen);
	type[tlen] = '\0';
	if (valid_map_type(type, e) < 0)
		return -1;
	name = colon + 1;
	if (*name == '\0')
		return err_set(e, ERR_INVALID, "table '%s' has no name after the type",
			       clip(s, q, sizeof(q)));
	if (fn && fn(type, ctx, e) < 0)
		return -1;
	if (strcmp(type, "proxy") == 0)
		return table_walk(name, fn, ctx, e, depth + 1);
	if (*name == '{') {
		size_t end = brace_end(name);
		char **items;
		size_t n, inner;
		char *body;
		int rc = 0;

		if (end == 0)
			return err_set(e, ERR_INVALID, "missing '}' in '%s'", clip(s, q, sizeof(q)));
		if (name[end] != '\0')
			return err_set(e, ERR_INVALID, "text after '}' in '%s'", clip(s, q, sizeof(q)));
		inner = end - 2;
		if (strspn(name + 1, " \t,") >= inner)
			return err_set(e, ERR_INVALID, "empty table '%s'", clip(s, q, sizeof(q)));
		if (strcmp(type, "unionmap") != 0 && strcmp(type, "pipemap") != 0)
			return 0;
		/* unionmap/pipemap hold a list of tables: check each one. */
		if ((body = strndup(name + 1, inner)) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		if (valid_list_split(body, &items, &n, e) < 0) {
			free(body);
			return -1;
		}
		for (size_t i = 0; i < n && rc == 0; i++)
			rc = table_walk(items[i], fn, ctx, e, depth + 1);
		valid_list_free(items);
		free(body);
		return rc;
	}
	if (strcmp(type, "inline") == 0 || strcmp(type, "unionmap") == 0
	    || strcmp(type, "pipemap") == 0 || strcmp(type, "randmap") == 0)
		return err_set(e, ERR_INVALID, "%s: tables are written %s:{ ... }, got '%s'", type,
			       type, clip(s, q, sizeof(q)));
	if (strcmp(type, "static") == 0)
		return 0;
	if (strpbrk(name, " \t{}") != NULL)
		return err_set(e, ERR_INVALID, "space or brace in table name '%s'",
			       clip(s, q, sizeof(q)));
	if (file_type(type) && *name != '/' && *name != '$')
		return err_set(e, ERR_INVALID,
			       "%s: tables need an absolute path, e.g. %s:/etc/postfix/%s, got '%s'",
			       type, type, name, clip(s, q, sizeof(q)));
	return 0;
}

int valid_table_ref(const char *s, struct err *e)
{
	if (check_input(s, VALID_VALUE_MAX, e) < 0)
		return -1;
	return table_walk(s, NULL, NULL, e, 0);
}

int valid_table_each_type(const char *ref, int (*fn)(const char *, void *, struct err *),
			  void *ctx, struct err *e)
{
	if (check_input(ref, VALID_VALUE_MAX, e) < 0)
		return -1;
	return table_walk(ref, fn, ctx, e, 0);
}

int valid_table_list(const char *s, struct err *e)
{
	char **items;
	size_t n;
	int rc = 0;

	if (valid_list_split(s, &items, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (!valid_param_ref(items[i]))
			rc = valid_table_ref(items[i], e);
	valid_list_free(items);
	return rc;
}

int valid_map_type_list(const char *text, struct err *e)
{
	char type[80];
	const char *p, *nl;
	size_t n = 0;

	if (check_input(text, VALID_VALUE_MAX, e) < 0)
		return -1;
	for (p = text; *p; p = nl + (*nl != '\0')) {
		size_t len;

		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		len = (size_t)(nl - p);
		if (len == 0)
			continue;
		if (len >= sizeof(type))
			return err_set(e, ERR_INVALID, "table type list: line %zu too long", n + 1);
		memcpy(type, p, len);
		type[len] = '\0';
		if (valid_map_type(type, e) < 0)
			return -1;
		n++;
	}
	if (n == 0)
		return err_set(e, ERR_INVALID, "table type list is empty");
	return 0;
}

int valid_list_split(const char *s, char ***items, size_t *count, struct err *e)
{
	char q[80];
	char **v = NULL;
	size_t n = 0;
	const char *p;

	*items = NULL;
	*count = 0;
	if (check_input(s, VALID_VALUE_MAX, e) < 0)
		return -1;
	for (p = s;;) {
		const char *start;
		int depth = 0;
		char **nv;

		p += strspn(p, ", \t\r\n");
		if (*p == '\0')
			break;
		start = p;
		for (; *p; p++) {
			if (*p == '{')
				depth++;
			else if (*p == '}' && --depth < 0)
				break;
			else if (depth == 0 && strchr(", \t\r\n", *p))
				break;
		}
		if (depth != 0) {
			valid_list_free(v);
			return err_set(e, ERR_INVALID, "%s in list '%s'",
				       depth > 0 ? "missing '}'" : "unexpected '}'",
				       clip(s, q, sizeof(q)));
		}
		if ((nv = realloc(v, (n + 2) * sizeof(*v))) == NULL
		    || (nv[n] = strndup(start, (size_t)(p - start))) == NULL) {
			if (nv)
				nv[n] = NULL;
			valid_list_free(nv ? nv : v);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
		v = nv;
		v[++n] = NULL;
	}
	if (v == NULL && (v = calloc(1, sizeof(*v))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	*items = v;
	*count = n;
	return 0;
}

void valid_list_free(char **items)
{
	if (items == NULL)
		return;
	for (size_t i = 0; items[i]; i++)
		free(items[i]);
	free(items);
}

/* tls_name - one of the protocol names Postfix 3.7 knows. */
static int tls_name(const char *s, size_t len)
{
	static const char *const names[] = {
		"SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", NULL
	};

	for (int i = 0; names[i]; i++)
		if (strlen(names[i]) == len && strncmp(s, names[i], len) == 0)
			return 1;
	return 0;
}

/* tls_hex - hexadecimal protocol version for bounds: 303, 0303, 0x0303. */
static int tls_hex(const char *s, size_t len)
{
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		i = 2;
	if (len - i == 0 || len - i > 4)
		return 0;
	for (; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int valid_tls_protocols(const char *s, struct err *e)
{
	char q[80], tok[80];
	const char *p;

	if (check_input(s, VALID_VALUE_MAX, e) < 0)
		return -1;
	for (p = s;;) {
		size_t len;
		const char *w;

		p += strspn(p, ", :\t");
		if (*p == '\0')
			break;
		len = strcspn(p, ", :\t");
		snprintf(tok, sizeof(tok), "%.*s", (int)len, p);
		if (len >= 2 && (strncmp(p, ">=", 2) == 0 || strncmp(p, "<=", 2) == 0)) {
			w = p + 2;
			if (!tls_name(w, len - 2) && !tls_hex(w, len - 2))
				goto bad;
		} else if (*p == '!') {
			if (!tls_name(p + 1, len - 1))
				goto bad;
		} else if (!tls_name(p, len)) {
			goto bad;
		}
		p += len;
	}
	return 0;
bad:
	return err_set(e, ERR_INVALID,
		       "bad TLS protocol '%s' in '%s': expected >=TLSv1.2, <=TLSv1.3, !SSLv3 or a name (SSLv2 SSLv3 TLSv1 TLSv1.1 TLSv1.2 TLSv1.3)",
		       tok, clip(s, q, sizeof(q)));
}

int valid_queue_id(const char *s, struct err *e)
{
	static const char shortset[] = "0123456789ABCDEF";
	static const char longset[] = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
	char q[80];
	size_t len;

	if (check_input(s, VALID_VALUE_MAX, e) < 0)
		return -1;
	len = strlen(s);
	if (len == 0)
		return err_set(e, ERR_INVALID, "empty queue ID");
	if (len > VALID_QUEUE_ID_MAX)
		return err_set(e, ERR_INVALID, "queue ID longer than %d characters",
			       VALID_QUEUE_ID_MAX);
	if (strspn(s, shortset) == len || strspn(s, longset) == len)
		return 0;
	return err_set(e, ERR_INVALID,
		       "'%s' is not a Postfix queue ID (hex like 3F2A1B4C, or the long form like 4Vb9Xk2Lq7zGh5n)",
		       clip(s, q, sizeof(q)));
}

int valid_param_ref(const char *s)
{
	size_t end;

	if (s == NULL || s[0] != '$')
		return 0;
	if (s[1] == '{' || s[1] == '(') {
		char open = s[1], close = open == '{' ? '}' : ')';
		int depth = 0;

		for (end = 1; s[end]; end++) {
			if (s[end] == open)
				depth++;
			else if (s[end] == close && --depth == 0)
				break;
		}
		return s[end] == close && s[end + 1] == '\0' && end > 2;
	}
	for (end = 1; isalnum((unsigned char)s[end]) || s[end] == '_'; end++)
		;
	return end > 1 && s[end] == '\0';
}
