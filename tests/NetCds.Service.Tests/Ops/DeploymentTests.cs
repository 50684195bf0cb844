using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace NetCds.Service.Tests.Ops;

/// <summary>deploy/: the compose file (docker-compose config), every Kubernetes manifest, the alert rules (promtool).</summary>
public sealed class DeploymentTests
{
    private static string Deploy()
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !Directory.Exists(Path.Combine(root, "deploy", "kubernetes")))
        {
            root = Path.GetDirectoryName(root);
        }

        return Path.Combine(root ?? throw new InvalidOperationException("deploy/ not found above the test output"), "deploy");
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, string directory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            return (process.ExitCode, await output + await error);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Skip($"{program} is not installed: ./test.sh installs it from Debian's packages");
            throw;
        }
    }

    [Fact]
    public async Task The_compose_file_is_valid_for_docker_compose()
    {
        var (code, output) = await RunAsync("docker-compose", Path.Combine(Deploy(), "compose"), new Dictionary<string, string> { ["POSTGRES_PASSWORD"] = "test-only", ["RABBITMQ_PASSWORD"] = "test-only" }, "config");

        code.Should().Be(0, output);
        output.Should().Contain("netcds:").And.Contain("rabbitmq:3.13-management").And.Contain("postgres:").And.Contain("prom/prometheus");
    }

    [Fact]
    public async Task The_compose_file_refuses_to_start_without_its_secrets()
    {
        var (code, output) = await RunAsync("docker-compose", Path.Combine(Deploy(), "compose"), new Dictionary<string, string>(), "config", "-q");

        code.Should().NotBe(0);
        output.Should().Contain("POSTGRES_PASSWORD");
    }

    [Fact]
    public async Task The_alert_rules_pass_promtool()
    {
        var (code, output) = await RunAsync("promtool", Deploy(), new Dictionary<string, string>(), "check", "rules", Path.Combine(Deploy(), "prometheus", "alerts.yml"));

        code.Should().Be(0, output);
        output.Should().Contain("SUCCESS");
    }

    private static List<YamlMappingNode> Manifests()
    {
        var documents = new List<YamlMappingNode>();
        foreach (var file in Directory.GetFiles(Path.Combine(Deploy(), "kubernetes"), "*.yaml"))
        {
            var stream = new YamlStream();
            using var reader = new StreamReader(file);
            stream.Load(reader);
            foreach (var document in stream.Documents)
            {
                var root = (YamlMappingNode)document.RootNode;
                root.Children.TryGetValue(new YamlScalarNode("apiVersion"), out var apiVersion).Should().BeTrue($"{file} has an apiVersion");
                ((YamlScalarNode)apiVersion!).Value.Should().NotBeNullOrEmpty();
                documents.Add(root);
            }
        }

        return documents;
    }

    private static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (n, key) => ((YamlMappingNode)n).Children[new YamlScalarNode(key)]);

    private static string Text(YamlNode node, params string[] path) => ((YamlScalarNode)At(node, path)).Value!;

    [Fact]
    public void Every_Kubernetes_manifest_parses_and_the_set_is_complete()
    {
        var kinds = Manifests().Select(m => Text(m, "kind")).ToList();

        kinds.Should().BeEquivalentTo(["ConfigMap", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"]);
    }

    [Fact]
    public void The_Deployment_probes_health_limits_resources_runs_non_root_on_a_read_only_root_and_takes_secrets_by_reference()
    {
        var deployment = Manifests().Single(m => Text(m, "kind") == "Deployment");
        var pod = At(deployment, "spec", "template", "spec");
        var container = ((YamlSequenceNode)At(pod, "containers")).Children.Single();

        Text(container, "livenessProbe", "httpGet", "path").Should().Be("/health/live");
        Text(container, "readinessProbe", "httpGet", "path").Should().Be("/health/ready");
        Text(container, "resources", "requests", "cpu").Should().NotBeEmpty();
        Text(container, "resources", "limits", "memory").Should().NotBeEmpty();
        Text(pod, "securityContext", "runAsNonRoot").Should().Be("true");
        Text(container, "securityContext", "readOnlyRootFilesystem").Should().Be("true");
        Text(container, "securityContext", "allowPrivilegeEscalation").Should().Be("false");
        var env = ((YamlSequenceNode)At(container, "env")).Children.ToDictionary(e => Text(e, "name"));
        Text(env["ConnectionStrings__Store"], "valueFrom", "secretKeyRef", "name").Should().Be("netcds-secrets");
        Text(env["ConnectionStrings__RabbitMq"], "valueFrom", "secretKeyRef", "name").Should().Be("netcds-secrets");
        Text(((YamlSequenceNode)At(container, "ports")).Children.Single(), "containerPort").Should().Be("8080", "the image listens on 8080 (Dockerfile)");
    }
}
