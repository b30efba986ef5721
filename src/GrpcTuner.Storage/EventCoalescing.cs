namespace GrpcTuner.Storage;

/// <summary>
/// Within one page of events, only each trial's last change is delivered, in the order of those
/// last changes. A watcher catching up on a trial with 5,000 reports would otherwise receive 5,000
/// copies of its growing series; resuming from any delivered cursor still misses nothing, because
/// every change after it comes later in the stream.
/// </summary>
internal static class EventCoalescing
{
    public static List<TrialEvent> LastPerTrial(IReadOnlyList<TrialEvent> page)
    {
        var last = new Dictionary<long, int>();
        for (var i = 0; i < page.Count; i++)
        {
            last[page[i].Trial.Number] = i;
        }

        var kept = new List<TrialEvent>(last.Count);
        for (var i = 0; i < page.Count; i++)
        {
            if (last[page[i].Trial.Number] == i)
            {
                kept.Add(page[i]);
            }
        }

        return kept;
    }
}
