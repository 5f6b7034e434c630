/*
 * json - a small streaming JSON writer for --json output.
 *
 * Writes into a caller-owned buf. Commas and nesting are tracked here so
 * callers only say what comes next. Strings are escaped: controls (C0,
 * DEL, C1 U+0080-U+009F), U+2028/U+2029 and the bidi controls as \uXXXX;
 * a byte that is not well-formed UTF-8 becomes U+FFFD, so no raw control
 * or invalid byte is ever written and the output is always valid JSON.
 */
#ifndef RELAYDECK_JSON_H
#define RELAYDECK_JSON_H

#include "buf.h"

#define JSON_MAX_DEPTH 32

struct json {
	struct buf *out;
	int depth;
	int count[JSON_MAX_DEPTH];	/* items written at each level */
	int after_key;
};

void json_init(struct json *j, struct buf *out);
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);	/* NULL writes null */
void json_int(struct json *j, long long v);
void json_fixed(struct json *j, double v);	/* two decimals: 0.25 */
void json_bool(struct json *j, int v);
void json_null(struct json *j);

/* Shorthands for "key": value inside an object. */
void json_kv_str(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, long long v);
void json_kv_bool(struct json *j, const char *key, int v);

/* json_escape - append s as a quoted JSON string. */
void json_escape(struct buf *out, const char *s);

#endif
