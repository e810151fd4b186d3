package io.github.prompt4j.spark;

import io.github.prompt4j.onnx.runtime.Precision;
import java.util.Arrays;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Classifies a text column of a Spark {@link Dataset} with a prompt, adding a predicted-label column and a
 * class-probability column (a {@code map<string, double>} in the verbalizer's class order).
 *
 * <pre>{@code
 * SparkPromptClassifier classifier = SparkPromptClassifier.builder()
 *         .model(SparkModel.pretrained("bert-base-cased"))
 *         .prompt(SparkPrompt.of(Template.parse("{text} this movie was [MASK]."),
 *                 Verbalizer.builder().add("0", "terrible").add("1", "fantastic").build()))
 *         .inputColumn("sentence")
 *         .build();
 * Dataset<Row> labelled = classifier.transform(reviews);   // + prediction, probabilities, prompt_error
 * }</pre>
 *
 * <p><b>Execution.</b> {@link #transform} is lazy: it adds a {@code mapPartitions} stage. Each executor JVM opens the
 * model once, when its first task needs it, and shares it among its tasks (see {@link SparkModel} for how the model
 * reaches the executors); ONNX Runtime gets {@code spark.task.cpus} intra-op threads unless
 * {@link Builder#intraOpThreads} says otherwise, so an executor with {@code C} cores runs {@code C / spark.task.cpus}
 * tasks on one model. Within a partition, rows go to the model {@link Builder#rowsPerCall} at a time, sorted by
 * length, in padded batches of at most {@link Builder#maxBatchSize} sequences. The model is closed when the executor
 * JVM exits (a shutdown hook).
 *
 * <p><b>Faults.</b> A row's output depends only on its partition's rows and their order, so a retried task gives the
 * same rows. Null or blank texts follow the {@link InvalidTextPolicy}. A model that cannot be opened on an executor
 * fails the task with a {@link io.github.prompt4j.core.model.ModelLoadException} naming the executor, its host and the
 * reason; after {@code spark.task.maxFailures} attempts the job fails with that message.
 *
 * <p>Immutable and thread-safe; holds no resources on the driver.
 */
public final class SparkPromptClassifier {

    private final Builder config;
    private final ModelSettings settings;
    private final String id = UUID.randomUUID().toString();

    private SparkPromptClassifier(Builder b) {
        this.config = b.copy();
        this.settings = new ModelSettings(b.model, b.precision, b.intraOpThreads, b.maxBatchSize, b.maxBatchTokens,
                b.modelCache);
    }

    /** The model settings the executors open (the key of their model registry). */
    ModelSettings settings() {
        return settings;
    }

    /** The prompt the executors build their classifier from. */
    SparkPrompt prompt() {
        return config.prompt;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The schema {@link #transform} produces from {@code input}: its columns, then the label ({@code string}), the
     * probabilities ({@code map<string, double>}) and, under {@link InvalidTextPolicy#ERROR_VALUE}, the error
     * ({@code string}); the new columns are nullable only under {@code ERROR_VALUE}.
     *
     * @throws IllegalArgumentException when the input column is missing or not a string, the id column is missing,
     *         or an output column already exists
     */
    public StructType transformSchema(StructType input) {
        field(input, config.inputColumn, "input");
        if (!(input.apply(config.inputColumn).dataType() instanceof StringType)) {
            throw new IllegalArgumentException("input column '" + config.inputColumn + "' is "
                    + input.apply(config.inputColumn).dataType().simpleString() + "; it must be a string column (cast "
                    + "it, or pick another with inputColumn(...))");
        }
        if (!config.idColumn.isEmpty()) {
            field(input, config.idColumn, "id");
        }
        boolean errors = config.invalidText == InvalidTextPolicy.ERROR_VALUE;
        StructType out = input;
        for (String name : errors ? new String[] {config.labelColumn, config.probabilitiesColumn, config.errorColumn}
                : new String[] {config.labelColumn, config.probabilitiesColumn}) {
            if (Arrays.asList(out.fieldNames()).contains(name)) {
                throw new IllegalArgumentException("output column '" + name + "' already exists in "
                        + Arrays.toString(out.fieldNames()) + "; rename it or choose another output column name");
            }
            out = out.add(name, name.equals(config.probabilitiesColumn)
                    ? DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false)
                    : DataTypes.StringType, errors);
        }
        return out;
    }

    /**
     * Adds the classification columns to {@code input} (lazily: nothing runs until an action). For a
     * {@link SparkModel#shipped shipped} model this registers the directory with {@code SparkContext.addFile}.
     *
     * @throws IllegalArgumentException as {@link #transformSchema}
     */
    public Dataset<Row> transform(Dataset<Row> input) {
        StructType in = input.schema();
        StructType out = transformSchema(in);
        if (settings.model().kind() == SparkModel.Kind.SHIPPED) {
            SparkSession spark = input.sparkSession();
            spark.sparkContext().addFile(settings.model().location(), true);
        }
        PartitionClassifier task = new PartitionClassifier(id, settings, config.prompt, in.fieldIndex(config.inputColumn),
                config.inputColumn, config.idColumn.isEmpty() ? -1 : in.fieldIndex(config.idColumn), config.idColumn,
                config.invalidText, config.rowsPerCall);
        return input.mapPartitions(task, Encoders.row(out));
    }

    private static void field(StructType schema, String name, String role) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException(role + " column '" + name + "' is not in the dataset, whose columns "
                    + "are " + Arrays.toString(schema.fieldNames()) + "; set " + role + "Column(...)");
        }
    }

    @Override
    public String toString() {
        return "SparkPromptClassifier[" + config.prompt + " on " + settings.model() + ", " + config.inputColumn + " -> "
                + config.labelColumn + ", " + config.probabilitiesColumn + "]";
    }

    /** Configures a {@link SparkPromptClassifier}; {@link #build()} only checks and copies. Not thread-safe. */
    public static final class Builder {
        private SparkModel model;
        private SparkPrompt prompt;
        private String inputColumn = "text";
        private String idColumn = "";
        private String labelColumn = "prediction";
        private String probabilitiesColumn = "probabilities";
        private String errorColumn = "prompt_error";
        private InvalidTextPolicy invalidText = InvalidTextPolicy.ERROR_VALUE;
        private Precision precision = Precision.FP32;
        private int intraOpThreads;
        private int rowsPerCall = 1024;
        private int maxBatchSize = 32;
        private int maxBatchTokens = 8192;
        private String modelCache = "";

        private Builder() {
        }

        private Builder copy() {
            Builder b = new Builder();
            b.model = model;
            b.prompt = prompt;
            b.inputColumn = inputColumn;
            b.idColumn = idColumn;
            b.labelColumn = labelColumn;
            b.probabilitiesColumn = probabilitiesColumn;
            b.errorColumn = errorColumn;
            b.invalidText = invalidText;
            b.precision = precision;
            b.intraOpThreads = intraOpThreads;
            b.rowsPerCall = rowsPerCall;
            b.maxBatchSize = maxBatchSize;
            b.maxBatchTokens = maxBatchTokens;
            b.modelCache = modelCache;
            return b;
        }

        /** Where the executors find the model (required). */
        public Builder model(SparkModel model) {
            this.model = model;
            return this;
        }

        /** The prompt (required). */
        public Builder prompt(SparkPrompt prompt) {
            this.prompt = prompt;
            return this;
        }

        /** The string column to classify (default {@code text}). */
        public Builder inputColumn(String name) {
            this.inputColumn = name;
            return this;
        }

        /** A column whose value names a row in error messages (default none: rows are named by position). */
        public Builder idColumn(String name) {
            this.idColumn = name;
            return this;
        }

        /** The predicted-label column (default {@code prediction}). */
        public Builder labelColumn(String name) {
            this.labelColumn = name;
            return this;
        }

        /** The class-probability column, {@code map<string, double>} (default {@code probabilities}). */
        public Builder probabilitiesColumn(String name) {
            this.probabilitiesColumn = name;
            return this;
        }

        /** The error column under {@link InvalidTextPolicy#ERROR_VALUE} (default {@code prompt_error}). */
        public Builder errorColumn(String name) {
            this.errorColumn = name;
            return this;
        }

        /** What to do with null or blank texts (default {@link InvalidTextPolicy#ERROR_VALUE}). */
        public Builder invalidText(InvalidTextPolicy policy) {
            this.invalidText = policy;
            return this;
        }

        /** The model's precision (default {@link Precision#FP32}). */
        public Builder precision(Precision precision) {
            this.precision = precision;
            return this;
        }

        /**
         * ONNX Runtime intra-op threads of each executor's model (default 0: the task's {@code spark.task.cpus}).
         * The model is shared by the executor's tasks, so more threads than {@code spark.task.cpus} oversubscribe
         * the cores.
         */
        public Builder intraOpThreads(int threads) {
            this.intraOpThreads = threads;
            return this;
        }

        /**
         * Rows of a partition sorted by length and classified together (default 1024): larger values pad less and
         * hold more rows in memory.
         */
        public Builder rowsPerCall(int rows) {
            this.rowsPerCall = rows;
            return this;
        }

        /** Most sequences per ONNX Runtime run (default 32, as {@code OnnxMaskedLanguageModel}). */
        public Builder maxBatchSize(int sequences) {
            this.maxBatchSize = sequences;
            return this;
        }

        /** Most padded tokens per ONNX Runtime run (default 8192, as {@code OnnxMaskedLanguageModel}). */
        public Builder maxBatchTokens(int tokens) {
            this.maxBatchTokens = tokens;
            return this;
        }

        /**
         * The executors' model cache for a {@link SparkModel#pretrained pretrained} model, a local path on every
         * executor (default: prompt4j's default cache there, {@code ~/.cache/prompt4j} unless the
         * {@code prompt4j.cache} property or {@code PROMPT4J_CACHE} variable moves it).
         */
        public Builder modelCache(java.nio.file.Path directory) {
            if (directory == null) {
                throw new IllegalArgumentException("modelCache must not be null; leave it unset for the default cache");
            }
            this.modelCache = directory.toString();
            return this;
        }

        /**
         * Checks the settings and builds the classifier; opens nothing.
         *
         * @throws IllegalArgumentException naming the missing or invalid setting
         */
        public SparkPromptClassifier build() {
            if (model == null) {
                throw new IllegalArgumentException("set the model: builder.model(SparkModel.pretrained(\"bert-base-"
                        + "cased\")) or SparkModel.directory(path)");
            }
            if (prompt == null) {
                throw new IllegalArgumentException("set the prompt: builder.prompt(SparkPrompt.of(template, "
                        + "verbalizer)) or SparkPrompt.fromFile(path)");
            }
            for (String[] column : new String[][] {{"inputColumn", inputColumn}, {"labelColumn", labelColumn},
                    {"probabilitiesColumn", probabilitiesColumn}, {"errorColumn", errorColumn}}) {
                if (column[1] == null || column[1].isBlank()) {
                    throw new IllegalArgumentException(column[0] + " must be a column name, got '" + column[1] + "'");
                }
            }
            if (idColumn == null) {
                throw new IllegalArgumentException("idColumn must not be null; leave it unset for none");
            }
            if (invalidText == null || precision == null) {
                throw new IllegalArgumentException("invalidText and precision must not be null; the defaults are "
                        + "InvalidTextPolicy.ERROR_VALUE and Precision.FP32");
            }
            if (intraOpThreads < 0 || rowsPerCall <= 0 || maxBatchSize <= 0 || maxBatchTokens <= 0) {
                throw new IllegalArgumentException("intraOpThreads must be >= 0 (0 = spark.task.cpus), rowsPerCall, "
                        + "maxBatchSize and maxBatchTokens positive; got " + intraOpThreads + ", " + rowsPerCall + ", "
                        + maxBatchSize + ", " + maxBatchTokens);
            }
            if (labelColumn.equals(probabilitiesColumn) || (invalidText == InvalidTextPolicy.ERROR_VALUE
                    && (errorColumn.equals(labelColumn) || errorColumn.equals(probabilitiesColumn)))) {
                throw new IllegalArgumentException("output columns must differ: label '" + labelColumn
                        + "', probabilities '" + probabilitiesColumn + "', error '" + errorColumn + "'");
            }
            return new SparkPromptClassifier(this);
        }
    }
}
