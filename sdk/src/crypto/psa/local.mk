## The PSA Crypto API backend (--with-crypto=psa).
if CRYPTO_PSA
SDK_CRYPTO_LIBS += $(MBEDCRYPTO_LIBS)
endif
