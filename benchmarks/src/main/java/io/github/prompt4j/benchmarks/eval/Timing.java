package io.github.prompt4j.benchmarks.eval;

/**
 * Wall-clock times of a run.
 *
 * <p>Immutable.
 *
 * @param modelOpenSeconds opening the model (including a first-use conversion)
 * @param classifySeconds classifying the examples, tokenisation included
 * @param sentences examples classified
 */
record Timing(double modelOpenSeconds, double classifySeconds, int sentences) {

    Timing {
        if (modelOpenSeconds < 0 || classifySeconds < 0 || sentences < 0) {
            throw new IllegalArgumentException("times and counts must not be negative: " + modelOpenSeconds + ", "
                    + classifySeconds + ", " + sentences);
        }
    }

    /** Examples per second of classification; 0 when no time was measured. */
    double sentencesPerSecond() {
        return classifySeconds > 0 ? sentences / classifySeconds : 0;
    }
}
