/**
 * Request bodies recorded from kubectl 1.33.1 (`kubectl.1.33`) against a logging HTTP server on
 * 127.0.0.1 that answered /version with minor "33". `expected` is what kubectl printed for the same
 * command with `--dry-run=client -o json`, with its nulls (`creationTimestamp: null`) removed; the
 * access reviews have no dry run, and their expected objects were written from the command. The
 * secret and config map files held the bytes 00 01 02 fe ff 80 "binary\n".
 */

/** One recorded kubectl request. */
export interface KubectlCapture {
  readonly command: string;
  readonly path: string;
  /** The request body, base64. */
  readonly body: string;
  /** The object the body holds in JSON form, or null when this server cannot decode its kind. */
  readonly expected: Record<string, unknown> | null;
}

/** Every body recorded, in the order the commands ran. */
export const kubectlCaptures: readonly KubectlCapture[] = [
  {
    command: "kubectl create deployment web --image=nginx:1.27 --replicas=0",
    path: "/apis/apps/v1/namespaces/default/deployments",
    body: "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50ErABCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEn8IABIMCgoKA2FwcBIDd2ViGmUKHAoAEgAaACIAKgAyADgAQgBaCgoDYXBwEgN3ZWISRRInCgVuZ2lueBIKbmdpbng6MS4yNyoAQgBqAHIAgAEAiAEAkAEAogEAGgAyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBACICCgAoADgAGgwIABAAGAAgACgAOAAaACIA",
    expected: {
      kind: "Deployment",
      apiVersion: "apps/v1",
      metadata: { name: "web", labels: { app: "web" } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "nginx", image: "nginx:1.27", resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    },
  },
  {
    command: "kubectl create deployment d2 --image=nginx --image=busybox --port=8080 --replicas=3",
    path: "/apis/apps/v1/namespaces/default/deployments",
    body: "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50Et4BCh0KAmQyEgAaACIAKgAyADgAQgBaCQoDYXBwEgJkMhKuAQgDEgsKCQoDYXBwEgJkMhqUAQobCgASABoAIgAqADIAOABCAFoJCgNhcHASAmQyEnUSLwoFbmdpbngSBW5naW54KgAyCwoAEAAYkD8iACoAQgBqAHIAgAEAiAEAkAEAogEAEiYKB2J1c3lib3gSB2J1c3lib3gqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==",
    expected: {
      kind: "Deployment",
      apiVersion: "apps/v1",
      metadata: { name: "d2", labels: { app: "d2" } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "d2" } },
        template: {
          metadata: { labels: { app: "d2" } },
          spec: {
            containers: [
              { name: "nginx", image: "nginx", ports: [{ containerPort: 8080 }], resources: {} },
              { name: "busybox", image: "busybox", resources: {} },
            ],
          },
        },
        strategy: {},
      },
      status: {},
    },
  },
  {
    command: "kubectl create job j1 --image=busybox -- echo hi",
    path: "/apis/batch/v1/namespaces/default/jobs",
    body: "azhzAAoPCghiYXRjaC92MRIDSm9iEoQBChIKAmoxEgAaACIAKgAyADgAQgASZDJiChAKABIAGgAiACoAMgA4AEIAEk4SKwoCajESB2J1c3lib3gaBGVjaG8aAmhpKgBCAGoAcgCAAQCIAQCQAQCiAQAaBU5ldmVyMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAaCCAAKAAwADoAGgAiAA==",
    expected: {
      kind: "Job",
      apiVersion: "batch/v1",
      metadata: { name: "j1" },
      spec: {
        template: {
          metadata: {},
          spec: {
            containers: [{ name: "j1", image: "busybox", command: ["echo", "hi"], resources: {} }],
            restartPolicy: "Never",
          },
        },
      },
      status: {},
    },
  },
  {
    command: "kubectl create cronjob cj1 --image=busybox --schedule='*/5 * * * *' -- date",
    path: "/apis/batch/v1/namespaces/default/cronjobs",
    body: "azhzAAoTCghiYXRjaC92MRIHQ3JvbkpvYhKnAQoTCgNjajESABoAIgAqADIAOABCABKNAQoLKi81ICogKiAqICoaACp8ChMKA2NqMRIAGgAiACoAMgA4AEIAEmUyYwoQCgASABoAIgAqADIAOABCABJPEigKA2NqMRIHYnVzeWJveBoEZGF0ZSoAQgBqAHIAgAEAiAEAkAEAogEAGglPbkZhaWx1cmUyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBABoAGgAiAA==",
    expected: {
      kind: "CronJob",
      apiVersion: "batch/v1",
      metadata: { name: "cj1" },
      spec: {
        schedule: "*/5 * * * *",
        jobTemplate: {
          metadata: { name: "cj1" },
          spec: {
            template: {
              metadata: {},
              spec: {
                containers: [{ name: "cj1", image: "busybox", command: ["date"], resources: {} }],
                restartPolicy: "OnFailure",
              },
            },
          },
        },
      },
      status: {},
    },
  },
  {
    command:
      "kubectl create configmap cm1 --from-literal=a=1 --from-literal=b=two --from-file=bin=bin.dat",
    path: "/api/v1/namespaces/default/configmaps",
    body: "azhzAAoPCgJ2MRIJQ29uZmlnTWFwEj0KEwoDY20xEgAaACIAKgAyADgAQgASBgoBYRIBMRIICgFiEgN0d28aFAoDYmluEg0AAQL+/4BiaW5hcnkKGgAiAA==",
    expected: {
      kind: "ConfigMap",
      apiVersion: "v1",
      metadata: { name: "cm1" },
      data: { a: "1", b: "two" },
      binaryData: { bin: "AAEC/v+AYmluYXJ5Cg==" },
    },
  },
  {
    command: "kubectl create secret generic s1 --from-file=bin=bin.dat --from-literal=user=admin",
    path: "/api/v1/namespaces/default/secrets",
    body: "azhzAAoMCgJ2MRIGU2VjcmV0EjsKEgoCczESABoAIgAqADIAOABCABIUCgNiaW4SDQABAv7/gGJpbmFyeQoSDQoEdXNlchIFYWRtaW4aABoAIgA=",
    expected: {
      kind: "Secret",
      apiVersion: "v1",
      metadata: { name: "s1" },
      data: { bin: "AAEC/v+AYmluYXJ5Cg==", user: "YWRtaW4=" },
    },
  },
  {
    command:
      "kubectl create secret generic s2 --type=kubernetes.io/basic-auth --from-literal=username=u --from-literal=password=p",
    path: "/api/v1/namespaces/default/secrets",
    body: "azhzAAoMCgJ2MRIGU2VjcmV0EkwKEgoCczISABoAIgAqADIAOABCABINCghwYXNzd29yZBIBcBINCgh1c2VybmFtZRIBdRoYa3ViZXJuZXRlcy5pby9iYXNpYy1hdXRoGgAiAA==",
    expected: {
      kind: "Secret",
      apiVersion: "v1",
      metadata: { name: "s2" },
      data: { password: "cA==", username: "dQ==" },
      type: "kubernetes.io/basic-auth",
    },
  },
  {
    command: "kubectl create namespace ns1",
    path: "/api/v1/namespaces",
    body: "azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhsKEwoDbnMxEgAaACIAKgAyADgAQgASABoCCgAaACIA",
    expected: {
      kind: "Namespace",
      apiVersion: "v1",
      metadata: { name: "ns1" },
      spec: {},
      status: {},
    },
  },
  {
    command: "kubectl create service clusterip svc1 --tcp=80:8080 --tcp=443:https",
    path: "/api/v1/namespaces/default/services",
    body: "azhzAAoNCgJ2MRIHU2VydmljZRKQAQohCgRzdmMxEgAaACIAKgAyADgAQgBaCwoDYXBwEgRzdmMxEmcKGwoHODAtODA4MBIDVENQGFAiBwgAEJA/GgAoAAoiCgk0NDMtaHR0cHMSA1RDUBi7AyILCAEQABoFaHR0cHMoABILCgNhcHASBHN2YzEaACIJQ2x1c3RlcklQOgBCAFIAWgBgAGgAGgIKABoAIgA=",
    expected: {
      kind: "Service",
      apiVersion: "v1",
      metadata: { name: "svc1", labels: { app: "svc1" } },
      spec: {
        ports: [
          { name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080 },
          { name: "443-https", protocol: "TCP", port: 443, targetPort: "https" },
        ],
        selector: { app: "svc1" },
        type: "ClusterIP",
      },
      status: { loadBalancer: {} },
    },
  },
  {
    command: "kubectl create service clusterip headless --clusterip=None",
    path: "/api/v1/namespaces/default/services",
    body: "azhzAAoNCgJ2MRIHU2VydmljZRJfCikKCGhlYWRsZXNzEgAaACIAKgAyADgAQgBaDwoDYXBwEghoZWFkbGVzcxIuEg8KA2FwcBIIaGVhZGxlc3MaBE5vbmUiCUNsdXN0ZXJJUDoAQgBSAFoAYABoABoCCgAaACIA",
    expected: {
      kind: "Service",
      apiVersion: "v1",
      metadata: { name: "headless", labels: { app: "headless" } },
      spec: { selector: { app: "headless" }, clusterIP: "None", type: "ClusterIP" },
      status: { loadBalancer: {} },
    },
  },
  {
    command: "kubectl create serviceaccount sa1",
    path: "/api/v1/namespaces/default/serviceaccounts",
    body: "azhzAAoUCgJ2MRIOU2VydmljZUFjY291bnQSFQoTCgNzYTESABoAIgAqADIAOABCABoAIgA=",
    expected: { kind: "ServiceAccount", apiVersion: "v1", metadata: { name: "sa1" } },
  },
  {
    command: "kubectl auth can-i get pods",
    path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
    body: "azhzAAoyChdhdXRob3JpemF0aW9uLms4cy5pby92MRIXU2VsZlN1YmplY3RBY2Nlc3NSZXZpZXcSPAoQCgASABoAIgAqADIAOABCABIeChwKB2RlZmF1bHQSA2dldBoAIgAqBHBvZHMyADoAGggIABIAGgAgABoAIgA=",
    expected: {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      metadata: {},
      spec: { resourceAttributes: { namespace: "default", verb: "get", resource: "pods" } },
      status: { allowed: false },
    },
  },
  {
    command: "kubectl auth can-i --list",
    path: "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
    body: "azhzAAoxChdhdXRob3JpemF0aW9uLms4cy5pby92MRIWU2VsZlN1YmplY3RSdWxlc1JldmlldxIjChAKABIAGgAiACoAMgA4AEIAEgkKB2RlZmF1bHQaBBgAIgAaACIA",
    expected: {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectRulesReview",
      metadata: {},
      spec: { namespace: "default" },
      status: { incomplete: false },
    },
  },
  {
    command: "kubectl create token sa1",
    path: "/api/v1/namespaces/default/serviceaccounts/sa1/token",
    body: "azhzAAooChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESDFRva2VuUmVxdWVzdBIaChAKABIAGgAiACoAMgA4AEIAEgAaBAoAEgAaACIA",
    expected: null,
  },
  {
    command: "kubectl create poddisruptionbudget pdb1 --selector=app=x --min-available=50%",
    path: "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
    body: "azhzAAogCglwb2xpY3kvdjESE1BvZERpc3J1cHRpb25CdWRnZXQSOwoUCgRwZGIxEgAaACIAKgAyADgAQgASFwoJCAEQABoDNTAlEgoKCAoDYXBwEgF4GgoIABgAIAAoADAAGgAiAA==",
    expected: {
      kind: "PodDisruptionBudget",
      apiVersion: "policy/v1",
      metadata: { name: "pdb1" },
      spec: { minAvailable: "50%", selector: { matchLabels: { app: "x" } } },
      status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    },
  },
  {
    command: "kubectl create poddisruptionbudget pdb2 --selector=app=y --max-unavailable=0",
    path: "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
    body: "azhzAAogCglwb2xpY3kvdjESE1BvZERpc3J1cHRpb25CdWRnZXQSOAoUCgRwZGIyEgAaACIAKgAyADgAQgASFBIKCggKA2FwcBIBeRoGCAAQABoAGgoIABgAIAAoADAAGgAiAA==",
    expected: {
      kind: "PodDisruptionBudget",
      apiVersion: "policy/v1",
      metadata: { name: "pdb2" },
      spec: { selector: { matchLabels: { app: "y" } }, maxUnavailable: 0 },
      status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    },
  },
  {
    command:
      "kubectl create priorityclass pc1 --value=-5 --description=low --preemption-policy=Never",
    path: "/apis/scheduling.k8s.io/v1/priorityclasses",
    body: "azhzAAolChRzY2hlZHVsaW5nLms4cy5pby92MRINUHJpb3JpdHlDbGFzcxIuChMKA3BjMRIAGgAiACoAMgA4AEIAEPv//////////wEYACIDbG93KgVOZXZlchoAIgA=",
    expected: {
      kind: "PriorityClass",
      apiVersion: "scheduling.k8s.io/v1",
      metadata: { name: "pc1" },
      value: -5,
      description: "low",
      preemptionPolicy: "Never",
    },
  },
  {
    command: "kubectl create quota q1 --hard=cpu=1,memory=1Gi,pods=2 --scopes=BestEffort",
    path: "/api/v1/namespaces/default/resourcequotas",
    body: "azhzAAoTCgJ2MRINUmVzb3VyY2VRdW90YRJOChIKAnExEgAaACIAKgAyADgAQgASNgoKCgNjcHUSAwoBMQoPCgZtZW1vcnkSBQoDMUdpCgsKBHBvZHMSAwoBMhIKQmVzdEVmZm9ydBoAGgAiAA==",
    expected: {
      kind: "ResourceQuota",
      apiVersion: "v1",
      metadata: { name: "q1" },
      spec: { hard: { cpu: "1", memory: "1Gi", pods: "2" }, scopes: ["BestEffort"] },
      status: {},
    },
  },
];
