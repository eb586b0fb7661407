## The portable C99 symmetric backend (--with-crypto=portable): AES-256,
## CMAC, CTR and SHA3-256 without any library.
if CRYPTO_PORTABLE
endif
