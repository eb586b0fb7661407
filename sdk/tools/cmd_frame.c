/*
 * cmd_frame.c - stateless subcommands: hash-topic, id, protect,
 * unprotect and keygen.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tool.h"

/* Prints SHA3-256(operand)[:16] in hex (topic hash or id from alias). */
static int run_hash(const char *prog, struct tool_args *a)
{
	uint8_t h[E4_HASH_LEN];

	if (a->pos[0][0] == '\0') {
		tool_err(prog, "the operand is empty");
		return TOOL_USAGE;
	}
	if (e4_hash16(h, a->pos[0], strlen(a->pos[0])) != 0) {
		tool_err(prog, "hashing failed");
		return TOOL_FAIL;
	}
	tool_print_hex(h, sizeof(h));
	return TOOL_OK;
}

enum { P_KEY, P_KEY_FILE, P_TIME, P_HEX, P_PUBKEY, P_SIGN_KEY, P_SIGN_KEY_FILE, P_ID };
static const struct tool_opt protect_opts[] = {
	[P_KEY] = { "key", 'k', "HEX", "topic key (32 bytes in hex); visible in ps, see --key-file" },
	[P_KEY_FILE] = { "key-file", 0, "FILE", "read the topic key from FILE (mode 0600; hex or raw)" },
	[P_TIME] = { "time", 't', "UNIX", "timestamp of the frame (default: the system clock)" },
	[P_HEX] = { "hex", 'x', NULL, "read hex text on stdin and write the frame as hex" },
	[P_PUBKEY] = { "pubkey", 0, NULL, "pubkey mode: sign the frame (needs --sign-key and --id)" },
	[P_SIGN_KEY] = { "sign-key", 0, "HEX", "Ed25519 secret key, seed || public (64 bytes in hex)" },
	[P_SIGN_KEY_FILE] = { "sign-key-file", 0, "FILE", "read the signing key from FILE (0600)" },
	[P_ID] = { "id", 0, "HEX", "sender id named in a pubkey frame (16 bytes in hex)" },
};

/* Reads the timestamp option, or the system clock. */
static int opt_time(const char *prog, const struct tool_args *a, size_t idx, const char *name,
                    uint64_t *t)
{
	const char *v = tool_get(a, idx);

	if (v == NULL) {
		*t = tool_now();
		return TOOL_OK;
	}
	return tool_u64(prog, name, v, t);
}

/* Seals msg as a symkey or pubkey frame as the options say. */
static int seal(const char *prog, const struct tool_args *a, const uint8_t key[E4_KEY_LEN],
                uint64_t ts, const uint8_t *msg, size_t len, uint8_t *out, size_t *out_len)
{
	uint8_t sk[E4_ED25519_SK_LEN], id[E4_ID_LEN];
	int rc, err;

	if (!tool_has(a, P_PUBKEY)) {
		if (tool_has(a, P_SIGN_KEY) || tool_has(a, P_SIGN_KEY_FILE) || tool_has(a, P_ID)) {
			tool_err(prog, "--sign-key and --id need --pubkey");
			return TOOL_USAGE;
		}
		err = e4_frame_seal(out, E4_PROTECTED_LEN(len), out_len, key, ts, msg, len);
	} else {
		if (tool_get(a, P_ID) == NULL) {
			tool_err(prog, "missing --id (the sender id of a pubkey frame)");
			return TOOL_USAGE;
		}
		rc = tool_hex(prog, "--id", tool_get(a, P_ID), id, sizeof(id));
		if (rc == TOOL_OK)
			rc = tool_secret(prog, a, P_SIGN_KEY, P_SIGN_KEY_FILE, sk, sizeof(sk));
		if (rc != TOOL_OK)
			return rc;
		err = e4_pk_frame_seal(out, E4_PK_PROTECTED_LEN(len), out_len, key, sk, id, ts, msg,
		                       len);
		e4_wipe(sk, sizeof(sk));
	}
	if (err != 0) {
		tool_err(prog, "%s", e4_strerror(err));
		return TOOL_FAIL;
	}
	return TOOL_OK;
}

/* e4 protect: stdin plaintext to a frame on stdout. */
static int run_protect(const char *prog, struct tool_args *a)
{
	uint8_t key[E4_KEY_LEN], *msg = NULL, *out = NULL;
	size_t len = 0, out_len = 0;
	uint64_t ts;
	int rc, hex = tool_has(a, P_HEX);

	rc = opt_time(prog, a, P_TIME, "--time", &ts);
	if (rc == TOOL_OK)
		rc = tool_secret(prog, a, P_KEY, P_KEY_FILE, key, sizeof(key));
	if (rc == TOOL_OK)
		rc = tool_read_input(prog, hex, &msg, &len);
	if (rc == TOOL_OK && (out = malloc(E4_PK_PROTECTED_LEN(len))) == NULL) {
		tool_err(prog, "out of memory");
		rc = TOOL_FAIL;
	}
	if (rc == TOOL_OK)
		rc = seal(prog, a, key, ts, msg, len, out, &out_len);
	if (rc == TOOL_OK)
		rc = tool_write_output(prog, hex, out, out_len);
	e4_wipe(key, sizeof(key));
	if (msg != NULL)
		e4_wipe(msg, len);
	free(msg);
	free(out);
	return rc;
}

enum { U_KEY, U_KEY_FILE, U_NOW, U_MAX_AGE, U_MAX_SKEW, U_HEX, U_PUBKEY, U_SENDER_PUB };
static const struct tool_opt unprotect_opts[] = {
	[U_KEY] = { "key", 'k', "HEX", "topic key (32 bytes in hex); visible in ps, see --key-file" },
	[U_KEY_FILE] = { "key-file", 0, "FILE", "read the topic key from FILE (mode 0600; hex or raw)" },
	[U_NOW] = { "now", 'n', "UNIX", "current time for the age checks (default: the system clock)" },
	[U_MAX_AGE] = { "max-age", 0, "S", "refuse frames older than S seconds (default 600)" },
	[U_MAX_SKEW] = { "max-skew", 0, "S", "refuse frames more than S seconds ahead (default 60)" },
	[U_HEX] = { "hex", 'x', NULL, "read the frame as hex text and write the plaintext as hex" },
	[U_PUBKEY] = { "pubkey", 0, NULL, "pubkey mode: verify the signature (needs --sender-pub)" },
	[U_SENDER_PUB] = { "sender-pub", 0, "HEX", "Ed25519 public key of the sender (32 bytes in hex)" },
};

/* Reads the clock policy options. */
static int clock_policy(const char *prog, const struct tool_args *a, uint64_t *now,
                        uint32_t *max_age, uint32_t *max_skew)
{
	int rc = opt_time(prog, a, U_NOW, "--now", now);

	*max_age = E4_DEFAULT_MAX_AGE;
	*max_skew = E4_DEFAULT_MAX_SKEW;
	if (rc == TOOL_OK && tool_has(a, U_MAX_AGE))
		rc = tool_u32(prog, "--max-age", tool_get(a, U_MAX_AGE), UINT32_MAX, max_age);
	if (rc == TOOL_OK && tool_has(a, U_MAX_SKEW))
		rc = tool_u32(prog, "--max-skew", tool_get(a, U_MAX_SKEW), UINT32_MAX, max_skew);
	return rc;
}

/* Opens a frame (authenticity first, then the clock policy). */
static int open_frame(const char *prog, const struct tool_args *a, const uint8_t key[E4_KEY_LEN],
                      const uint8_t *frame, size_t len, uint8_t *out, size_t *out_len)
{
	uint8_t pub[E4_ED25519_PK_LEN];
	uint64_t now, ts = 0;
	uint32_t max_age, max_skew;
	int rc, err;

	rc = clock_policy(prog, a, &now, &max_age, &max_skew);
	if (rc != TOOL_OK)
		return rc;
	if (!tool_has(a, U_PUBKEY)) {
		if (tool_has(a, U_SENDER_PUB)) {
			tool_err(prog, "--sender-pub needs --pubkey");
			return TOOL_USAGE;
		}
		err = e4_frame_open(out, len, out_len, key, &ts, frame, len);
	} else {
		if (tool_get(a, U_SENDER_PUB) == NULL) {
			tool_err(prog, "missing --sender-pub (the sender's Ed25519 public key)");
			return TOOL_USAGE;
		}
		rc = tool_hex(prog, "--sender-pub", tool_get(a, U_SENDER_PUB), pub, sizeof(pub));
		if (rc != TOOL_OK)
			return rc;
		err = e4_pk_frame_open(out, len, out_len, key, pub, &ts, frame, len);
	}
	if (err == 0)
		err = e4_check_time(ts, now, max_age, max_skew);
	if (err != 0) {
		e4_wipe(out, len);
		tool_err(prog, "%s", e4_strerror(err));
		return TOOL_FAIL;
	}
	return TOOL_OK;
}

/* e4 unprotect: stdin frame to the plaintext on stdout. */
static int run_unprotect(const char *prog, struct tool_args *a)
{
	uint8_t key[E4_KEY_LEN], *frame = NULL, *out = NULL;
	size_t len = 0, out_len = 0;
	int rc, hex = tool_has(a, U_HEX);

	rc = tool_secret(prog, a, U_KEY, U_KEY_FILE, key, sizeof(key));
	if (rc == TOOL_OK)
		rc = tool_read_input(prog, hex, &frame, &len);
	if (rc == TOOL_OK && (out = malloc(len + 1)) == NULL) {
		tool_err(prog, "out of memory");
		rc = TOOL_FAIL;
	}
	if (rc == TOOL_OK)
		rc = open_frame(prog, a, key, frame, len, out, &out_len);
	if (rc == TOOL_OK)
		rc = tool_write_output(prog, hex, out, out_len);
	e4_wipe(key, sizeof(key));
	if (out != NULL)
		e4_wipe(out, len + 1);
	free(frame);
	free(out);
	return rc;
}

enum { K_CURVE };
static const struct tool_opt keygen_opts[] = {
	[K_CURVE] = { "curve", 0, NULL, "print a Curve25519 (X25519) pair instead, for a C2" },
};

/* e4 keygen: prints a fresh key pair, the secret half marked as such. */
static int run_keygen(const char *prog, struct tool_args *a)
{
	uint8_t pub[E4_ED25519_PK_LEN], sk[E4_ED25519_SK_LEN];
	int curve = tool_has(a, K_CURVE);

	if (curve ? (sodium_init() < 0 || crypto_box_keypair(pub, sk) != 0) :
	            e4_ed25519_keypair(pub, sk) != 0) {
		tool_err(prog, "key generation failed");
		return TOOL_FAIL;
	}
	printf("# %s key pair. The secret-key line is SECRET: keep it in a 0600 file, never share it.\n",
	       curve ? "Curve25519 (X25519)" : "Ed25519 (secret-key is seed || public)");
	printf("public-key ");
	tool_print_hex(pub, sizeof(pub));
	printf("secret-key ");
	tool_print_hex(sk, curve ? 32 : sizeof(sk));
	e4_wipe(sk, sizeof(sk));
	return TOOL_OK;
}

const struct tool_cmd tool_frame_cmds[] = {
	{ "hash-topic", run_hash, NULL, 0, "TOPIC", 1, 1,
	  "print the topic hash (SHA3-256(TOPIC)[:16]) in hex" },
	{ "id", run_hash, NULL, 0, "ALIAS", 1, 1,
	  "print the device id of ALIAS (SHA3-256(ALIAS)[:16]) in hex" },
	{ "protect", run_protect, protect_opts, TOOL_NOPTS(protect_opts), "", 0, 0,
	  "protect the plaintext on stdin with a topic key; frame on stdout" },
	{ "unprotect", run_unprotect, unprotect_opts, TOOL_NOPTS(unprotect_opts), "", 0, 0,
	  "check and decrypt the frame on stdin; plaintext on stdout" },
	{ "keygen", run_keygen, keygen_opts, TOOL_NOPTS(keygen_opts), "", 0, 0,
	  "print a fresh Ed25519 key pair (or Curve25519 with --curve)" },
	{ NULL, NULL, NULL, 0, NULL, 0, 0, NULL }
};
