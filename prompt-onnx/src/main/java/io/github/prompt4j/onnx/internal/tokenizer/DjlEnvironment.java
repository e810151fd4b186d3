package io.github.prompt4j.onnx.internal.tokenizer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps DJL's tokenizer library off the network: chooses its bundled CPU native library and opts out of its EC2
 * usage report, unless the user already decided either.
 *
 * <p>DJL reads these settings once, when its native library loads, so {@link #configure()} runs before the first
 * tokenizer is created. Thread-safe.
 */
final class DjlEnvironment {

    private static final Logger log = LoggerFactory.getLogger(DjlEnvironment.class);

    /**
     * DJL picks the native library flavour from the machine; on a CUDA machine it would download a GPU build of
     * {@code libtokenizers} that the jar does not bundle. Tokenization gains nothing from a GPU.
     */
    static final String RUST_FLAVOR = "RUST_FLAVOR";

    /** DJL's switch for its once-a-day usage report to an EC2 metadata endpoint. */
    static final String OPT_OUT_TRACKING = "OPT_OUT_TRACKING";

    private DjlEnvironment() {
    }

    static synchronized void configure() {
        setUnlessDecided(RUST_FLAVOR, "cpu");
        setUnlessDecided(OPT_OUT_TRACKING, "true");
    }

    private static void setUnlessDecided(String key, String value) {
        if (System.getenv(key) == null && System.getProperty(key) == null) {
            System.setProperty(key, value);
            log.debug("set system property {}={} for DJL tokenizers", key, value);
        }
    }
}
