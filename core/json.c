/*
 * json - streaming JSON writer. See json.h.
 */
#include "config.h"
#include "json.h"

#include <stdio.h>
#include <string.h>

void json_init(struct json *j, struct buf *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

/* sep - the comma before a value, unless it follows a key. */
static void sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->count[j->depth]++ > 0)
		buf_putc(j->out, ',');
}

static void open_level(struct json *j, char c)
{
	sep(j);
	buf_putc(j->out, c);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->count[j->depth] = 0;
}

static void close_level(struct json *j, char c)
{
	buf_putc(j->out, c);
	if (j->depth > 0)
		j->depth--;
}

void json_obj_begin(struct json *j) { open_level(j, '{'); }
void json_obj_end(struct json *j) { close_level(j, '}'); }
void json_arr_begin(struct json *j) { open_level(j, '['); }
void json_arr_end(struct json *j) { close_level(j, ']'); }

void json_key(struct json *j, const char *key)
{
	sep(j);
	json_escape(j->out, key);
	buf_putc(j->out, ':');
	j->after_key = 1;
}

/* utf8_len - length of a valid UTF-8 sequence at s, or 0 when invalid. */
static int utf8_len(const unsigned char *s)
{
	int n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0) { n = 2; cp = s[0] & 0x1F; }
	else if ((s[0] & 0xF0) == 0xE0) { n = 3; cp = s[0] & 0x0F; }
	else if ((s[0] & 0xF8) == 0xF0) { n = 4; cp = s[0] & 0x07; }
	else return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

void json_escape(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	buf_putc(out, '"');
	while (*p) {
		int n;

		switch (*p) {
		case '"': buf_puts(out, "\\\""); p++; continue;
		case '\\': buf_puts(out, "\\\\"); p++; continue;
		case '\n': buf_puts(out, "\\n"); p++; continue;
		case '\r': buf_puts(out, "\\r"); p++; continue;
		case '\t': buf_puts(out, "\\t"); p++; continue;
		default: break;
		}
		if (*p < 0x20) {
			buf_printf(out, "\\u%04x", *p);
			p++;
			continue;
		}
		n = utf8_len(p);
		if (n == 0) {
			buf_puts(out, "\\ufffd");
			p++;
			continue;
		}
		buf_append(out, p, (size_t)n);
		p += n;
	}
	buf_putc(out, '"');
}

void json_str(struct json *j, const char *s)
{
	sep(j);
	if (s == NULL)
		buf_puts(j->out, "null");
	else
		json_escape(j->out, s);
}

void json_int(struct json *j, long long v)
{
	sep(j);
	buf_printf(j->out, "%lld", v);
}

void json_bool(struct json *j, int v)
{
	sep(j);
	buf_puts(j->out, v ? "true" : "false");
}

void json_null(struct json *j)
{
	sep(j);
	buf_puts(j->out, "null");
}

void json_kv_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_kv_int(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_kv_bool(struct json *j, const char *key, int v)
{
	json_key(j, key);
	json_bool(j, v);
}
