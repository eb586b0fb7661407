/*
 * e4/errors.h - error codes of the E4 SDK.
 *
 * 0 is success; every failure is a distinct negative value.  The
 * numbering is append-only: a released value never changes meaning.
 */
#ifndef E4_ERRORS_H
#define E4_ERRORS_H

#ifdef __cplusplus
extern "C" {
#endif

#define E4_OK                     0
#define E4_ERR_INVALID_ARG       -1  /* NULL pointer, bad length or value */
#define E4_ERR_BUFSIZE           -2  /* output buffer too small; *out_len = needed */
#define E4_ERR_TOO_SHORT         -3  /* frame shorter than the mode's minimum */
#define E4_ERR_AUTH              -4  /* SIV tag does not verify (wrong key or tampered) */
#define E4_ERR_TOO_OLD           -5  /* timestamp older than max-age */
#define E4_ERR_IN_FUTURE         -6  /* timestamp more than max-skew ahead */
#define E4_ERR_REPLAY            -7  /* same frame already received on this topic */
#define E4_ERR_NO_TOPIC_KEY      -8  /* no key for this topic */
#define E4_ERR_TABLE_FULL        -9  /* topic or public key table is full */
#define E4_ERR_UNKNOWN_COMMAND  -10  /* command code not known */
#define E4_ERR_COMMAND_LENGTH   -11  /* command arguments of the wrong length */
#define E4_ERR_COMMAND_STALE    -12  /* command older than the last applied one */
#define E4_ERR_COMMAND_REPLAY   -13  /* this command frame was already applied */
#define E4_ERR_COMMAND_BURST    -14  /* too many commands with one timestamp */
#define E4_ERR_CRYPTO           -15  /* crypto backend failure */
#define E4_ERR_STORE_IO         -16  /* storage read/write failed */
#define E4_ERR_STORE_FORMAT     -17  /* stored state corrupt, of another version or shape */
#define E4_ERR_STORE_PERMS      -18  /* key file readable by group or others, or not a file */
#define E4_ERR_NOT_FOUND        -19  /* nothing stored / no such entry / no pending ack */
#define E4_ERR_WRONG_MODE       -20  /* operation or command not valid in this mode */
#define E4_ERR_UNKNOWN_SENDER   -21  /* pubkey mode: no public key for the sender id */
#define E4_ERR_BAD_SIGNATURE    -22  /* pubkey mode: Ed25519 signature invalid */
#define E4_ERR_NO_C2_KEY        -23  /* pubkey mode: C2 public key not set */
#define E4_ERR_NOT_INITIALISED  -24  /* client used before init or after wipe */
#define E4_ERR_BAD_ACK          -25  /* ack frame malformed */
#define E4_ERR_TOPIC_LENGTH     -26  /* topic empty or longer than E4_TOPIC_MAX */

#define E4_ERR_LAST             -26

/*
 * A static English message for `err` (never NULL; unknown codes get a
 * generic message).
 */
const char *e4_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif /* E4_ERRORS_H */
