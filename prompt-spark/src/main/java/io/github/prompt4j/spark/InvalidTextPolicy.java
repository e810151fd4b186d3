package io.github.prompt4j.spark;

/** What {@link SparkPromptClassifier} does with a row whose text is null, empty or blank. */
public enum InvalidTextPolicy {

    /**
     * Keep the row: its label and probabilities are null and the error column says why ({@code "null text"} or
     * {@code "empty text"}); every other row is classified as usual. The default.
     */
    ERROR_VALUE,

    /**
     * Fail the task, and so the job (after Spark's task retries), with an {@link IllegalArgumentException} naming the
     * column, the partition and the row's position in it, and the id column's value when one is set.
     */
    FAIL_JOB
}
