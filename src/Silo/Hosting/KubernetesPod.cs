using System.Net;
using Orleans.Hosting.Kubernetes;

namespace OrleansPigmm.Silo.Hosting;

/// <summary>
/// The Kubernetes pod a clustered silo runs in. A process is in a pod when it has
/// <see cref="ServiceHostVariable"/>, which the kubelet gives every container; the pod's manifest
/// must then give the silo <see cref="Variables"/> (the pod's name, namespace and IP from the
/// downward API, the cluster's ids), and the silo runs with Orleans' Kubernetes hosting: it is
/// named after its pod, labels its pod with the cluster's ids, and declares dead at once the
/// silos whose pods are deleted. Membership stays in the store's database.
/// </summary>
public sealed record KubernetesPod(string Name, string Namespace)
{
    /// <summary>The variable every container of a pod has (the API server's address); its presence
    /// is what makes a process take itself to run in a pod.</summary>
    public const string ServiceHostVariable = "KUBERNETES_SERVICE_HOST";

    /// <summary>The variables a silo in a pod needs from its manifest.</summary>
    public static IReadOnlyList<string> Variables { get; } =
    [
        KubernetesHostingOptions.PodNameEnvironmentVariable,
        KubernetesHostingOptions.PodNamespaceEnvironmentVariable,
        KubernetesHostingOptions.PodIPEnvironmentVariable,
        KubernetesHostingOptions.ClusterIdEnvironmentVariable,
        KubernetesHostingOptions.ServiceIdEnvironmentVariable,
    ];

    /// <summary>
    /// The pod this process runs in, read through <paramref name="variable"/> (the environment),
    /// or null outside a pod. The pod's ids must agree with the silo's own: Orleans' Kubernetes
    /// hosting labels the pod with them and watches the pods so labelled.
    /// </summary>
    /// <param name="variable">Reads an environment variable; null when it is not set.</param>
    /// <param name="clusterId">The cluster the silo joins (<c>--cluster-id</c>).</param>
    /// <param name="advertised">The address the silo advertises (<c>--advertise</c>).</param>
    /// <exception cref="InvalidOperationException">In a pod, a variable is missing or disagrees with the silo's settings; the message says which and what to give.</exception>
    public static KubernetesPod? FromEnvironment(Func<string, string?> variable, string clusterId, IPAddress advertised)
    {
        ArgumentNullException.ThrowIfNull(variable);
        ArgumentNullException.ThrowIfNull(advertised);
        if (string.IsNullOrWhiteSpace(variable(ServiceHostVariable)))
        {
            return null;
        }
        var missing = Variables.Where(name => string.IsNullOrWhiteSpace(variable(name))).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"this silo runs in a Kubernetes pod ({ServiceHostVariable} is set) but its manifest does not give {string.Join(", ", missing)}; the manifests in k8s/ show how (the downward API for the pod's name, namespace and IP).");
        }
        string podClusterId = variable(KubernetesHostingOptions.ClusterIdEnvironmentVariable)!;
        if (podClusterId != clusterId)
        {
            throw new InvalidOperationException(
                $"{KubernetesHostingOptions.ClusterIdEnvironmentVariable} is '{podClusterId}' but --cluster-id is '{clusterId}'; they must agree (pass --cluster-id $({KubernetesHostingOptions.ClusterIdEnvironmentVariable})).");
        }
        string podServiceId = variable(KubernetesHostingOptions.ServiceIdEnvironmentVariable)!;
        if (podServiceId != PigmmCluster.ServiceId)
        {
            throw new InvalidOperationException(
                $"{KubernetesHostingOptions.ServiceIdEnvironmentVariable} is '{podServiceId}' but this product's silos all have service id '{PigmmCluster.ServiceId}'.");
        }
        string podIp = variable(KubernetesHostingOptions.PodIPEnvironmentVariable)!;
        if (!IPAddress.TryParse(podIp, out var address) || !address.Equals(advertised))
        {
            throw new InvalidOperationException(
                $"{KubernetesHostingOptions.PodIPEnvironmentVariable} is '{podIp}' but the silo advertises {advertised}; other silos reach a pod at its IP (pass --advertise $({KubernetesHostingOptions.PodIPEnvironmentVariable})).");
        }
        return new KubernetesPod(
            variable(KubernetesHostingOptions.PodNameEnvironmentVariable)!,
            variable(KubernetesHostingOptions.PodNamespaceEnvironmentVariable)!);
    }
}
