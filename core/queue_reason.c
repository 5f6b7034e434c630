/*
 * queue_reason - delay reasons folded into group keys. See queue_reason.h.
 */
#include "config.h"
#include "queue_reason.h"

#include <ctype.h>
#include <string.h>

#define SUSPENDED "delivery temporarily suspended: "

/* word_char - what a host name, address or number is made of. */
static int word_char(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_' || c == '@' || c == '+' || c == '%';
}

static int all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* dotted - n bytes split at '.' into labels; each label passes ok(); the
 * number of labels, 0 when one is empty or fails. */
static int dotted(const char *s, size_t n, int (*ok)(const char *, size_t))
{
	int labels = 0;
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (i == start || !ok(s + start, i - start))
				return 0;
			labels++;
			start = i + 1;
		}
	}
	return labels;
}

static int short_number(const char *s, size_t n)
{
	return n <= 3 && all_digits(s, n);
}

static int dns_label(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

/* is_status - an enhanced status code: 2.0.0, 4.7.28. */
static int is_status(const char *s, size_t n)
{
	return n >= 5 && (s[0] == '2' || s[0] == '4' || s[0] == '5') && s[1] == '.' &&
	       dotted(s, n, short_number) == 3;
}

static int is_ipv4(const char *s, size_t n)
{
	return dotted(s, n, short_number) == 4;
}

/* is_domain - two or more labels, the last with a letter and 2+ characters. */
static int is_domain(const char *s, size_t n)
{
	const char *last = s;
	size_t tail;
	int alpha = 0;

	if (dotted(s, n, dns_label) < 2)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.')
			last = s + i + 1;
	tail = n - (size_t)(last - s);
	for (size_t i = 0; i < tail; i++)
		alpha |= isalpha((unsigned char)last[i]) != 0;
	return alpha && tail >= 2;
}

/* is_identifier - letters and digits mixed in a word of 6 or more: a queue
 * ID, a session or transaction number. */
static int is_identifier(const char *s, size_t n)
{
	int digit = 0, alpha = 0;

	for (size_t i = 0; i < n; i++) {
		digit |= isdigit((unsigned char)s[i]) != 0;
		alpha |= isalpha((unsigned char)s[i]) != 0;
	}
	return n >= 6 && digit && alpha;
}

/* addr_bracket - s starts with "[address]" (IPv4, IPv6, "IPv6:...", or a
 * host name): its length, else 0. */
static size_t addr_bracket(const char *s)
{
	size_t i = 1;

	if (s[0] != '[')
		return 0;
	while (s[i] && (isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == ':' || s[i] == '-'))
		i++;
	return s[i] == ']' && i > 1 ? i + 1 : 0;
}

/* port_suffix - ":digits" not followed by a word character: its length. */
static size_t port_suffix(const char *s)
{
	size_t i = 1;

	if (s[0] != ':' || !isdigit((unsigned char)s[1]))
		return 0;
	while (isdigit((unsigned char)s[i]))
		i++;
	return word_char((unsigned char)s[i]) ? 0 : i;
}

/* keep_code - a 3-digit SMTP reply code: followed by ' ' or '-' and an
 * enhanced status code, or at the start, or after "said: ". */
static int keep_code(const char *start, const char *s, size_t n)
{
	size_t m = 0;

	if (n != 3 || s[0] < '2' || s[0] > '5' || !all_digits(s, 3))
		return 0;
	if (s[3] == ' ' || s[3] == '-') {
		while (word_char((unsigned char)s[4 + m]))
			m++;
		while (m > 0 && s[4 + m - 1] == '.')
			m--;
		if (is_status(s + 4, m))
			return 1;
	}
	if (s == start)
		return 1;
	return (size_t)(s - start) >= 6 && strncmp(s - 6, "said: ", 6) == 0;
}

/* put_digits_folded - a word with its digit runs as "#". */
static int put_digits_folded(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i])) {
			if (buf_putc(out, '#') < 0)
				return -1;
			while (i + 1 < n && isdigit((unsigned char)s[i + 1]))
				i++;
		} else if (buf_putc(out, s[i]) < 0) {
			return -1;
		}
	}
	return 0;
}

int queue_reason_normalize(const char *reason, struct buf *out)
{
	const char *start, *s;
	size_t before = out->len;
	int blank = 0;

	if (strncmp(reason, SUSPENDED, strlen(SUSPENDED)) == 0)
		reason += strlen(SUSPENDED);
	start = reason;
	while (isspace((unsigned char)*start))
		start++;
	s = start;
	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t n = 0, dots = 0, skip;
		int host = 0;

		if (isspace(c)) {
			blank = 1;
			s++;
			continue;
		}
		if (blank && out->len > before && buf_putc(out, ' ') < 0)
			return -1;
		blank = 0;
		if (!word_char(c)) {
			if (buf_putc(out, (char)c) < 0)
				return -1;
			s++;
			continue;
		}
		while (word_char((unsigned char)s[n]))
			n++;
		/* a sentence's full stop is not part of the word */
		while (n > 1 && s[n - 1] == '.') {
			n--;
			dots++;
		}
		if (is_status(s, n) || keep_code(start, s, n) ||
		    (n > 4 && s[3] == '-' && keep_code(start, s, 3))) {
			if (buf_append(out, s, n) < 0)
				return -1;
		} else if (memchr(s, '@', n) || is_ipv4(s, n) || is_domain(s, n) ||
			   is_identifier(s, n)) {
			host = 1;
			if (buf_putc(out, '*') < 0)
				return -1;
		} else if (put_digits_folded(out, s, n) < 0) {
			return -1;
		}
		s += n;
		if (dots) {
			if (buf_append(out, s, dots) < 0)
				return -1;
			s += dots;
			continue;
		}
		/* host[address]:port is one thing */
		if (host && (skip = addr_bracket(s)) > 0)
			s += skip;
		if (host && (skip = port_suffix(s)) > 0)
			s += skip;
	}
	return 0;
}
