/*
 * json - streaming JSON writer. See json.h.
 */
#include "config.h"
#include "json.h"

#include <stdio.h>
#include <string.h>

#include "termsafe.h"

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

/* json_escape - controls (C0, DEL, C1), the line and paragraph separators
 * and the bidi controls as \uXXXX (so the text is safe on a terminal and
 * in JavaScript); a byte that is not well-formed UTF-8 becomes U+FFFD, so
 * the output is always valid JSON. */
void json_escape(struct buf *out, const char *s)
{
	size_t len = strlen(s), off = 0;

	buf_putc(out, '"');
	while (off < len) {
		unsigned cp;
		size_t run = 0;
		int n;

		/* printable ASCII that needs no escape goes over in one piece */
		while (off + run < len && (unsigned char)s[off + run] >= 0x20 &&
		       (unsigned char)s[off + run] < 0x7f && s[off + run] != '"' && s[off + run] != '\\')
			run++;
		if (run > 0) {
			buf_append(out, s + off, run);
			off += run;
			continue;
		}
		switch (s[off]) {
		case '"': buf_puts(out, "\\\""); off++; continue;
		case '\\': buf_puts(out, "\\\\"); off++; continue;
		case '\n': buf_puts(out, "\\n"); off++; continue;
		case '\r': buf_puts(out, "\\r"); off++; continue;
		case '\t': buf_puts(out, "\\t"); off++; continue;
		default: break;
		}
		n = termsafe_utf8_decode(s + off, len - off, &cp);
		if (n <= 0) {
			buf_puts(out, "\\ufffd");
			off++;
		} else if (termsafe_cp_unsafe(cp, 0)) {
			buf_printf(out, "\\u%04x", cp);
			off += (size_t)n;
		} else {
			buf_append(out, s + off, (size_t)n);
			off += (size_t)n;
		}
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

void json_fixed(struct json *j, double v)
{
	sep(j);
	buf_printf(j->out, "%.2f", v);
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
