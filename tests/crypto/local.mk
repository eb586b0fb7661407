## tests/crypto/: known answers and differential tests of the crypto backends.
