package dev.latchkey.server.keys;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SignatureProviderTest {

    @Test
    void autoAndNativeSelectAwsLcOnThisPlatform() {
        // The build runs on Linux x86-64, where the native library ships.
        assertThat(SignatureProvider.AUTO.select().provider()).isNotNull();
        assertThat(SignatureProvider.AUTO.select().description()).startsWith("AWS-LC");
        assertThat(SignatureProvider.NATIVE.select().provider().getName()).isEqualTo("AmazonCorrettoCryptoProvider");
    }

    @Test
    void jdkLeavesTheJdksProviders() {
        assertThat(SignatureProvider.JDK.select().provider()).isNull();
        assertThat(SignatureProvider.JDK.select().description()).isEqualTo("JDK");
    }

    @Test
    void parsesTheThreeWordsOnly() {
        assertThat(SignatureProvider.parse(" Native ")).contains(SignatureProvider.NATIVE);
        assertThat(SignatureProvider.parse("auto")).contains(SignatureProvider.AUTO);
        assertThat(SignatureProvider.parse("jdk")).contains(SignatureProvider.JDK);
        assertThat(SignatureProvider.parse("openssl")).isEmpty();
    }
}
