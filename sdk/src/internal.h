/*
 * internal.h - declarations shared by the SDK's core files (not installed).
 */
#ifndef E4_INTERNAL_H
#define E4_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "e4/e4.h"

#define E4__MAGIC 0x45344331u /* "E4C1" */

/* SIV over a keyed state (sdk/src/siv.c). */
int e4__keyed_init(struct e4_keyed *k, const uint8_t key[E4_KEY_LEN]);
int e4__keyed_init2(struct e4_keyed *k, const uint8_t *mac_key, const uint8_t *ctr_key,
                    size_t key_len);
void e4__keyed_free(struct e4_keyed *k);
int e4__siv_seal(struct e4_keyed *k, uint8_t tag[E4_TAG_LEN], uint8_t *ct,
                 const uint8_t *ad, size_t ad_len, const uint8_t *pt, size_t n);
int e4__siv_open(struct e4_keyed *k, uint8_t *pt, const uint8_t tag[E4_TAG_LEN],
                 const uint8_t *ad, size_t ad_len, const uint8_t *ct, size_t n);

/* Frame sealing/opening with a keyed state (sdk/src/frame.c). */
int e4__frame_seal_keyed(struct e4_keyed *k, uint8_t *out, uint64_t ts,
                         const uint8_t *msg, size_t msg_len);
int e4__frame_open_keyed(struct e4_keyed *k, uint8_t *out, const uint8_t *frame,
                         size_t frame_len);

int e4__pk_frame_open_keyed(struct e4_keyed *k, uint8_t *out, const uint8_t *frame,
                            size_t frame_len);

/* Commands (sdk/src/command.c). */
int e4__command_apply(struct e4_client *c, const uint8_t *cmd, size_t len,
                      uint64_t now, struct e4_recv_info *info);
uint8_t e4__ack_status(int err);
/* Seals an ack (digest of the command frame, status) with a keyed state; out: E4_ACK_FRAME_LEN. */
int e4__ack_seal_keyed(struct e4_keyed *k, uint8_t out[E4_ACK_FRAME_LEN], uint64_t ts,
                       const uint8_t digest[16], uint8_t status);

/* Client helpers (sdk/src/client.c). */
struct e4_keyed *e4__client_keyed(struct e4_client *c, const uint8_t key[E4_KEY_LEN]);
void e4__client_forget_key(struct e4_client *c, const uint8_t key[E4_KEY_LEN]);
int e4__client_now(const struct e4_client *c, uint64_t *now, int *have_clock);
struct e4_topic_slot *e4__topic_find(struct e4_client *c, const uint8_t hash[E4_HASH_LEN],
                                     uint32_t kind);
int e4__topic_set(struct e4_client *c, const uint8_t hash[E4_HASH_LEN],
                  const uint8_t key[E4_KEY_LEN], uint64_t now);
int e4__topic_set_next(struct e4_client *c, const uint8_t hash[E4_HASH_LEN],
                       const uint8_t key[E4_KEY_LEN]);
int e4__topic_replace(struct e4_client *c, const uint8_t hash[E4_HASH_LEN],
                      const uint8_t key[E4_KEY_LEN]);
void e4__topic_remove(struct e4_client *c, const uint8_t hash[E4_HASH_LEN]);
void e4__topic_reset(struct e4_client *c);
void e4__pubkeys_reset(struct e4_client *c);
int e4__pubkey_remove(struct e4_client *c, const uint8_t id[E4_ID_LEN]);
const uint8_t *e4__pubkey_find(const struct e4_client *c, const uint8_t id[E4_ID_LEN]);
int e4__client_set_id_key(struct e4_client *c, const uint8_t *key, size_t len);
void e4__client_retire_id_key(struct e4_client *c);

int e4__topic_hash_memo(struct e4_client *c, const char *topic, uint8_t hash[E4_HASH_LEN]);

int e4__config_valid(const struct e4_client_config *cfg);
void e4__client_setup(struct e4_client *c, const struct e4_client_config *cfg,
                      const uint8_t id[E4_ID_LEN]);

/* Topic length check shared by protect/unprotect. */
int e4__topic_len(const char *topic, size_t *len);

/* Forbid the heap in core files (the rule of the SDK). */
#if defined(__GNUC__) && !defined(E4__ALLOW_HEAP)
#pragma GCC poison malloc calloc realloc free strdup strndup
#endif

#endif /* E4_INTERNAL_H */
