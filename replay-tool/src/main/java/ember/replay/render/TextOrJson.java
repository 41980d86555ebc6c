package ember.replay.render;

import java.util.Locale;

/** The {@code --format} of commands that print text for people or one JSON document. */
public enum TextOrJson
{
    TEXT, JSON;

    /** picocli shows and accepts the lower-case names. */
    @Override
    public String toString()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
