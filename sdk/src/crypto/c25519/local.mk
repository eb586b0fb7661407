## The portable C99 public-key backend (--with-pubkey-crypto=portable):
## Ed25519, X25519 and SHA-512 without any library.
if PUBKEY_PORTABLE
endif
