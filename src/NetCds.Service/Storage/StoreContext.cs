using Microsoft.EntityFrameworkCore;

namespace NetCds.Service.Storage;

/// <summary>
/// The service's durable store. One model, two providers: <see cref="SqliteStoreContext"/> (the embedded default)
/// and <see cref="PostgreSqlStoreContext"/>, each with its own migrations, chosen by <c>Storage:Provider</c>.
/// </summary>
public abstract class StoreContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<CdsFeedbackRecord> Feedback => Set<CdsFeedbackRecord>();

    public DbSet<StoredResource> Resources => Set<StoredResource>();

    public DbSet<PatientReport> Reports => Set<PatientReport>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    public DbSet<UsedJti> UsedJtis => Set<UsedJti>();

    public DbSet<PatientRecordState> PatientRecords => Set<PatientRecordState>();

    public DbSet<SubscriptionState> Subscriptions => Set<SubscriptionState>();

    public DbSet<RememberedCard> RememberedCards => Set<RememberedCard>();

    public DbSet<CardShownTally> CardShownTallies => Set<CardShownTally>();

    public DbSet<InstallSecret> InstallSecrets => Set<InstallSecret>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        var feedback = modelBuilder.Entity<CdsFeedbackRecord>();
        feedback.ToTable("cds_feedback");
        feedback.HasKey(f => f.Id);
        feedback.Property(f => f.ServiceId).HasMaxLength(100).IsRequired();
        feedback.Property(f => f.CardUuid).HasMaxLength(100).IsRequired();
        feedback.Property(f => f.Outcome).HasMaxLength(20).IsRequired();
        feedback.Property(f => f.AcceptedSuggestions).HasMaxLength(4000);
        feedback.Property(f => f.OverrideReasonSystem).HasMaxLength(500);
        feedback.Property(f => f.OverrideReasonCode).HasMaxLength(200);
        feedback.Property(f => f.UserComment).HasMaxLength(4000);
        feedback.Property(f => f.Client).HasMaxLength(500);
        feedback.HasIndex(f => f.CardUuid);
        feedback.Property(f => f.IdempotencyKey).HasMaxLength(64);
        feedback.HasIndex(f => f.IdempotencyKey).IsUnique();

        var card = modelBuilder.Entity<RememberedCard>();
        card.ToTable("cds_cards");
        card.HasKey(c => c.CardUuid);
        card.Property(c => c.CardUuid).HasMaxLength(RememberedCard.MaxUuidLength);
        card.Property(c => c.ServiceId).HasMaxLength(100);
        card.Property(c => c.Hook).HasMaxLength(32);
        card.Property(c => c.HookInstance).HasMaxLength(100);
        card.Property(c => c.PatientHash).HasMaxLength(64);
        card.HasIndex(c => c.ShownAt);

        var tally = modelBuilder.Entity<CardShownTally>();
        tally.ToTable("cds_card_tallies");
        tally.HasKey(t => new { t.Day, t.Therapy, t.RuleId });
        tally.Property(t => t.Therapy).HasMaxLength(16);
        tally.Property(t => t.RuleId).HasMaxLength(64);

        var secret = modelBuilder.Entity<InstallSecret>();
        secret.ToTable("install_secrets");
        secret.HasKey(s => s.Name);
        secret.Property(s => s.Name).HasMaxLength(64);
        secret.Property(s => s.Value).HasMaxLength(200);

        var resource = modelBuilder.Entity<StoredResource>();
        resource.ToTable("fhir_resources");
        resource.HasKey(r => new { r.ResourceType, r.ResourceId });
        resource.Property(r => r.ResourceType).HasMaxLength(64);
        resource.Property(r => r.ResourceId).HasMaxLength(64);
        resource.Property(r => r.VersionId).HasMaxLength(64);
        resource.Property(r => r.Patient).HasMaxLength(200);
        resource.Property(r => r.FactsVersion).HasMaxLength(40);
        resource.Property(r => r.Version).IsConcurrencyToken();
        // A patient's rows, and those written after a generation (issue 19), in one index.
        resource.HasIndex(r => new { r.Patient, r.Generation });

        var report = modelBuilder.Entity<PatientReport>();
        report.ToTable("patient_reports");
        report.HasKey(r => r.Patient);
        report.Property(r => r.Patient).HasMaxLength(200);
        report.Property(r => r.Statuses).HasMaxLength(1000);
        report.Property(r => r.RulesVersion).HasMaxLength(64);
        report.Property(r => r.ContentHash).HasMaxLength(64);
        report.Property(r => r.Revision).IsConcurrencyToken();

        var record = modelBuilder.Entity<PatientRecordState>();
        record.ToTable("patient_record_state");
        record.HasKey(r => r.Patient);
        record.Property(r => r.Patient).HasMaxLength(200);

        var outbox = modelBuilder.Entity<OutboxMessage>();
        outbox.ToTable("outbox");
        outbox.HasKey(m => m.Id);
        outbox.Property(m => m.MessageType).HasMaxLength(200);
        outbox.Property(m => m.TraceParent).HasMaxLength(128);
        outbox.HasIndex(m => new { m.DispatchedAt, m.CreatedAt });

        var jti = modelBuilder.Entity<UsedJti>();
        jti.ToTable("cds_used_jti");
        jti.HasKey(j => new { j.Issuer, j.Jti });
        jti.Property(j => j.Issuer).HasMaxLength(UsedJti.MaxIssuerLength);
        jti.Property(j => j.Jti).HasMaxLength(UsedJti.MaxJtiLength);
        jti.HasIndex(j => j.ExpiresAt);

        var subscription = modelBuilder.Entity<SubscriptionState>();
        subscription.ToTable("subscription_states");
        subscription.HasKey(s => s.Name);
        subscription.Property(s => s.Name).HasMaxLength(64);
        subscription.Property(s => s.SubscriptionUrl).HasMaxLength(1000);
        subscription.Property(s => s.Status).HasMaxLength(32);
        subscription.Property(s => s.LastRecovery).HasMaxLength(1000);
        subscription.Property(s => s.Revision).IsConcurrencyToken();
    }
}

public sealed class SqliteStoreContext(DbContextOptions<SqliteStoreContext> options) : StoreContext(options)
{
    /// <summary>SQLite has no DateTimeOffset type: store UTC ticks, so ordering and comparison happen in SQL.</summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter>();
    }
}

public sealed class PostgreSqlStoreContext(DbContextOptions<PostgreSqlStoreContext> options) : StoreContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);

        // The used CDS Hooks jtis are a replay guard for tokens at most minutes long, written on every call: UNLOGGED
        // spares them the WAL (issue 20). After a crash or a failover the table starts empty, so a token captured
        // before it could be replayed once within its remaining lifetime (docs/security.md).
        modelBuilder.Entity<UsedJti>().IsUnlogged();
    }
}

/// <summary>One CDS Hooks feedback item as received (CDS Hooks 2.0 §Feedback). The user comment may hold PHI: stored, never logged.</summary>
public sealed class CdsFeedbackRecord
{
    public long Id { get; set; }

    public required string ServiceId { get; set; }

    public required string CardUuid { get; set; }

    /// <summary><c>accepted</c> or <c>overridden</c>.</summary>
    public required string Outcome { get; set; }

    /// <summary>Accepted suggestion uuids, comma separated.</summary>
    public string? AcceptedSuggestions { get; set; }

    public string? OverrideReasonSystem { get; set; }

    public string? OverrideReasonCode { get; set; }

    public string? UserComment { get; set; }

    public DateTimeOffset OutcomeTimestamp { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>The authenticated CDS client (JWT issuer), when known.</summary>
    public string? Client { get; set; }

    /// <summary>
    /// SHA-256 (hex) of card, outcome and override reason: unique, so a repeated item is stored once (issue 20).
    /// Null on rows stored before issue 20.
    /// </summary>
    public string? IdempotencyKey { get; set; }
}
