package io.github.prompt4j.spark.examples;

import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.spark.SparkModel;
import io.github.prompt4j.spark.SparkPrompt;
import io.github.prompt4j.spark.SparkPromptClassifier;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Zero-shot sentiment on Spark in local mode: a few reviews, or the {@code sentence} column of a tab-separated file
 * given as the first argument (e.g. {@code ../shared/data/sst2/glue/dev.tsv}), labelled by BERT-base cased with
 * AutoPrompt's manual SST-2 prompt. Run it with
 * {@code mvn -q -B -ntp -pl prompt-spark -am test-compile exec:exec [-Dexec.appArgs=FILE]}; the first run converts
 * the model into {@code ~/.cache/prompt4j}.
 */
public final class SparkSentiment {

    private SparkSentiment() {
    }

    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("prompt4j-spark-sentiment")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            Dataset<Row> reviews = args.length > 0
                    ? spark.read().option("sep", "\t").option("header", "true").option("quote", "").csv(args[0])
                    : spark.createDataset(List.of("A gripping, beautifully acted film.",
                            "Two hours of my life I will never get back.", "The plot is thin but the cast is superb.",
                            "Dull, predictable and far too long.", "", "An instant classic."), Encoders.STRING())
                            .toDF("sentence");

            SparkPromptClassifier classifier = SparkPromptClassifier.builder()
                    .model(SparkModel.pretrained("bert-base-cased"))
                    .prompt(SparkPrompt.of(Template.parse("{sentence} this movie was [MASK]."),
                            Verbalizer.builder().add("negative", "terrible").add("positive", "fantastic").build()))
                    .inputColumn("sentence")
                    .build();

            Dataset<Row> labelled = classifier.transform(reviews);
            labelled.show(20, false);
            labelled.groupBy("prediction").count().show();
        } finally {
            spark.stop();
        }
    }
}
