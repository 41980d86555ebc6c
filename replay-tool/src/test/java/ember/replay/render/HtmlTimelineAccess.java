package ember.replay.render;

/** Test access to package-private parts of {@link HtmlTimeline}. */
public final class HtmlTimelineAccess
{
    private HtmlTimelineAccess()
    {
    }

    public static String embeddable(final String json)
    {
        return HtmlTimeline.embeddable(json);
    }
}
