package io.github.prompt4j.spark;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The task side of {@link SparkPromptClassifier}: classifies one partition in chunks of {@code rowsPerCall} rows, each
 * sorted by text length before it goes to the classifier (whose model cuts it into padded batches), and appends the
 * label, the probabilities and (under {@link InvalidTextPolicy#ERROR_VALUE}) the error to each row, in input order.
 *
 * <p>Deterministic: a row's output depends only on the partition's rows and their order (chunks are cut by count),
 * so a retried task yields the same rows as the failed attempt.
 *
 * @param classifierId the key of the classifier in {@link ExecutorModels}
 * @param settings the model
 * @param prompt the prompt
 * @param textIndex the text column's index in the input rows
 * @param textColumn its name, for messages
 * @param idIndex the id column's index, or -1 for none
 * @param idColumn its name, or empty
 * @param policy what to do with null or blank text
 * @param rowsPerCall rows per classifier call
 */
record PartitionClassifier(String classifierId, ModelSettings settings, SparkPrompt prompt, int textIndex,
        String textColumn, int idIndex, String idColumn, InvalidTextPolicy policy, int rowsPerCall)
        implements MapPartitionsFunction<Row, Row>, Serializable {

    private static final long serialVersionUID = 1L;

    /** Test hook, called after each classified chunk of a partition; tests throw from it to fail a task. */
    interface ChunkListener {
        void classified(TaskContext task, long rowsDone);
    }

    /** The test hook, or null. */
    static volatile ChunkListener chunkListener;

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        TaskContext task = TaskContext.get();
        return new Chunks(rows, task);
    }

    /** The output rows, classified a chunk at a time as they are pulled. */
    private final class Chunks implements Iterator<Row> {
        private final Iterator<Row> input;
        private final TaskContext task;
        private final ArrayDeque<Row> ready = new ArrayDeque<>();
        private long rowsRead;
        private PromptClassifier classifier;

        Chunks(Iterator<Row> input, TaskContext task) {
            this.input = input;
            this.task = task;
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty() && input.hasNext()) {
                classifyChunk();
            }
            return !ready.isEmpty();
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }

        private void classifyChunk() {
            List<Row> chunk = new ArrayList<>(rowsPerCall);
            while (chunk.size() < rowsPerCall && input.hasNext()) {
                chunk.add(input.next());
            }
            long first = rowsRead;
            rowsRead += chunk.size();
            String[] errors = new String[chunk.size()];
            List<Integer> valid = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                Row row = chunk.get(i);
                String text = row.isNullAt(textIndex) ? null : row.getString(textIndex);
                errors[i] = text == null ? "null text" : text.isBlank() ? "empty text" : null;
                if (errors[i] == null) {
                    valid.add(i);
                } else if (policy == InvalidTextPolicy.FAIL_JOB) {
                    throw new IllegalArgumentException("column '" + textColumn + "' holds " + errors[i] + " in "
                            + rowName(row, first + i) + "; filter such rows out or use InvalidTextPolicy.ERROR_VALUE");
                }
            }
            // Length-sorted chunks let the model pad each batch to similar lengths; ties keep input order.
            valid.sort(Comparator.comparingInt(i -> chunk.get(i).getString(textIndex).length()));
            List<String> texts = new ArrayList<>(valid.size());
            valid.forEach(i -> texts.add(chunk.get(i).getString(textIndex)));
            Classification[] results = new Classification[chunk.size()];
            if (!texts.isEmpty()) {
                if (classifier == null) {
                    classifier = ExecutorModels.classifier(classifierId, settings, prompt,
                            task != null ? task.cpus() : 1);
                }
                List<Classification> classified;
                try {
                    classified = classifier.classifyAll(texts);
                } catch (RuntimeException e) {
                    throw new IllegalStateException("classifying rows " + first + " to " + (rowsRead - 1)
                            + " of partition " + partition() + " failed: " + e.getMessage(), e);
                }
                for (int k = 0; k < valid.size(); k++) {
                    results[valid.get(k)] = classified.get(k);
                }
            }
            for (int i = 0; i < chunk.size(); i++) {
                ready.add(output(chunk.get(i), results[i], errors[i]));
            }
            ChunkListener listener = chunkListener;
            if (listener != null) {
                listener.classified(task, rowsRead);
            }
        }

        private Row output(Row row, Classification c, String error) {
            int n = row.length();
            boolean errorColumn = policy == InvalidTextPolicy.ERROR_VALUE;
            Object[] values = Arrays.copyOf(toArray(row), n + (errorColumn ? 3 : 2));
            values[n] = c == null ? null : c.label();
            values[n + 1] = c == null ? null : scala.jdk.javaapi.CollectionConverters.asScala(c.probabilities());
            if (errorColumn) {
                values[n + 2] = error;
            }
            return RowFactory.create(values);
        }

        private String rowName(Row row, long index) {
            String name = "row " + index + " of partition " + partition();
            return idIndex < 0 ? name : name + " (" + idColumn + " = " + row.get(idIndex)
                    + ")";
        }

        private String partition() {
            return task != null ? Integer.toString(task.partitionId()) : "?";
        }
    }

    private static Object[] toArray(Row row) {
        Object[] values = new Object[row.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = row.get(i);
        }
        return values;
    }
}
