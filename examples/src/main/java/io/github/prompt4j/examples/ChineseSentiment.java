package io.github.prompt4j.examples;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.LabelWord;
import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Zero-shot Chinese sentiment with multilingual BERT: the cloze {@code {text}感觉很[MASK]。} ("... feels very
 * [MASK].") scored with single-character label words, the multi-piece policy on a two-character word, a few
 * ChnSentiCorp dev reviews (read from {@code ../shared/data/chnsenticorp/dev.tsv} when present, else built in), and
 * contextual calibration against the prompt's lean towards 好.
 */
public final class ChineseSentiment {

    private static final Path CHNSENTICORP_DEV = Path.of("../shared/data/chnsenticorp/dev.tsv");

    private ChineseSentiment() {
    }

    public static void main(String[] args) throws IOException {
        System.out.println("Opening bert-base-multilingual-cased (the first run converts the Maven checkpoint to ONNX"
                + " and caches it in ~/.cache/prompt4j)...");
        try (OnnxMaskedLanguageModel model = OnnxMaskedLanguageModel.open(
                PretrainedModels.BERT_BASE_MULTILINGUAL_CASED)) {
            Template template = Template.parse("{text}感觉很[MASK]。");
            Verbalizer sentiment = Verbalizer.builder()
                    .add("负面", "难", "坏", "烦")
                    .add("正面", "好", "棒", "爽")
                    .build();
            PromptClassifier classifier = PromptClassifier.builder(model)
                    .template(template)
                    .verbalizer(sentiment)
                    .build();

            // 1. The seed example: "I am very tired."
            Classification tired = classifier.classify("我很累");
            System.out.printf("%n我很累感觉很[MASK]。 -> %s %s%n  label-word log-probabilities: %s%n", tired.label(),
                    tired.probabilities(), tired.wordScores());

            // 2. A two-character label word is two word pieces; the default policy (REJECT) refuses it.
            Verbalizer twoCharacters = Verbalizer.builder()
                    .add("负面", "难受", "坏")
                    .add("正面", "好", "棒")
                    .build();
            try {
                PromptClassifier.builder(model).template(template).verbalizer(twoCharacters).build();
            } catch (IllegalArgumentException e) {
                System.out.printf("%nREJECT (default): %s%n", e.getMessage());
            }
            PromptClassifier mean = PromptClassifier.builder(model)
                    .template(template)
                    .verbalizer(twoCharacters.withPolicy(MultiTokenPolicy.MEAN))
                    .build();
            for (LabelWord w : mean.labelWords()) {
                System.out.printf("  %s (%s) -> pieces %s%n", w.word(), w.label(), w.pieces());
            }
            Classification tiredMean = mean.classify("我很累");
            System.out.printf("MEAN: 我很累 -> %s %s%n  word scores (mean of the pieces' log-probabilities): %s%n",
                    tiredMean.label(), tiredMean.probabilities(), tiredMean.wordScores());

            // 3. A handful of ChnSentiCorp dev reviews (label 0 = negative, 1 = positive).
            List<String[]> reviews = reviews();
            List<String> texts = new ArrayList<>();
            for (String[] r : reviews) {
                texts.add(r[1]);
            }
            printAccuracy("uncalibrated", reviews, classifier.classifyAll(texts));

            // 4. "感觉很好" is a very common phrase, so the prompt leans positive. Contextual calibration (Zhao et al.
            //    2021) divides by the class distribution of a content-free input.
            Map<String, Double> prior = classifier.classify("N/A").probabilities();
            PromptClassifier calibrated = PromptClassifier.builder(model)
                    .template(template)
                    .verbalizer(sentiment)
                    .mapper(LabelMapper.calibrated(LabelMapper.mean(), prior))
                    .build();
            System.out.printf("%nprior from \"N/A\": %s%n", prior);
            Classification tiredCalibrated = calibrated.classify("我很累");
            System.out.printf("calibrated: 我很累 -> %s %s%n", tiredCalibrated.label(), tiredCalibrated.probabilities());
            printAccuracy("calibrated", reviews, calibrated.classifyAll(texts));
        }
    }

    private static void printAccuracy(String title, List<String[]> reviews, List<Classification> results) {
        int correct = 0;
        System.out.printf("%n%s:%n", title);
        for (int i = 0; i < reviews.size(); i++) {
            String gold = reviews.get(i)[0].equals("1") ? "正面" : "负面";
            Classification c = results.get(i);
            correct += c.label().equals(gold) ? 1 : 0;
            String text = reviews.get(i)[1];
            String shown = text.length() > 30 ? text.substring(0, 30) + "…" : text;
            System.out.printf("gold %s  predicted %s (%.2f)  %s%n", gold, c.label(), c.confidence(), shown);
        }
        System.out.printf("accuracy %d/%d%n", correct, reviews.size());
    }

    /** Four negative and four positive dev reviews from ChnSentiCorp, or built-in ones when the data is absent. */
    private static List<String[]> reviews() throws IOException {
        if (!Files.isRegularFile(CHNSENTICORP_DEV)) {
            System.out.println("\n(" + CHNSENTICORP_DEV + " not found; using built-in reviews)");
            return List.of(
                    new String[] {"0", "房间很小，隔音很差，晚上根本睡不着。"},
                    new String[] {"0", "服务员态度恶劣，再也不会来了。"},
                    new String[] {"0", "书的印刷质量太差，很多页都看不清。"},
                    new String[] {"0", "电池用了两天就坏了，非常失望。"},
                    new String[] {"1", "酒店位置很好，早餐丰富，服务也很周到。"},
                    new String[] {"1", "这本书写得非常精彩，一口气读完了。"},
                    new String[] {"1", "电脑运行流畅，屏幕清晰，性价比很高。"},
                    new String[] {"1", "环境干净舒适，下次还会再来。"});
        }
        System.out.println("\nChnSentiCorp dev reviews from " + CHNSENTICORP_DEV + ":");
        List<String[]> negative = new ArrayList<>();
        List<String[]> positive = new ArrayList<>();
        // Columns: label<TAB>text_a, after a header line.
        List<String> lines = Files.readAllLines(CHNSENTICORP_DEV, StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split("\t", 2);
            if (cells.length < 2) {
                continue;
            }
            List<String[]> bucket = cells[0].equals("1") ? positive : negative;
            if (bucket.size() < 4) {
                bucket.add(cells);
            }
        }
        List<String[]> all = new ArrayList<>(negative);
        all.addAll(positive);
        return all;
    }
}
