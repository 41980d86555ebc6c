package ember.replay.cli;

import ember.replay.render.TextOrJson;
import picocli.CommandLine.Option;

/** The {@code --format text|json} option of the commands that print text for people or one JSON document. */
final class FormatOption
{
    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
        description = "text or json (default: ${DEFAULT-VALUE})")
    TextOrJson format;

    /** @return true for {@code --format json}. */
    boolean json()
    {
        return format == TextOrJson.JSON;
    }
}
