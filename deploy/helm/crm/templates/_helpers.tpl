{{/* Names ------------------------------------------------------------------ */}}

{{- define "crm.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "crm.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of a component's objects: (dict "root" $ "name" "identity") */}}
{{- define "crm.componentName" -}}
{{- printf "%s-%s" (include "crm.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Secret holding the CRM secrets (chart-made or existingSecret). */}}
{{- define "crm.secretName" -}}
{{- default (include "crm.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* Database (and role) name of a service on PostgreSQL: crm_<name>. */}}
{{- define "crm.databaseName" -}}
{{- printf "crm_%s" (replace "-" "_" .) -}}
{{- end -}}

{{/* CRM_<NAME> prefix of a service's environment variables. */}}
{{- define "crm.envName" -}}
{{- upper (replace "-" "_" .) -}}
{{- end -}}

{{/* Labels --------------------------------------------------------------------- */}}

{{- define "crm.selectorLabels" -}}
app.kubernetes.io/name: {{ include "crm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "crm.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "crm.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: crm
{{- end -}}

{{/* (dict "root" $ "component" "identity") */}}
{{- define "crm.componentSelectorLabels" -}}
{{ include "crm.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "crm.componentLabels" -}}
{{ include "crm.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Workloads ------------------------------------------------------------------
The gateway and every enabled entry of .Values.services, each merged over
.Values.workloadDefaults, with derived fields:
  name, protocol (http|grpc), command, callees (services this one calls over gRPC).
Use: $workloads := include "crm.workloads" . | fromYaml
*/}}
{{- define "crm.workloads" -}}
{{- $defaults := .Values.workloadDefaults -}}
{{- $all := dict -}}
{{- $gw := mergeOverwrite (deepCopy $defaults) (deepCopy .Values.gateway) -}}
{{- $_ := set $gw "name" "gateway" -}}
{{- $_ := set $gw "protocol" "http" -}}
{{- $_ := set $gw "command" "crm-gateway" -}}
{{- $_ := set $gw "database" false -}}
{{- $_ := set $all "gateway" $gw -}}
{{- range $name, $svc := .Values.services -}}
{{- if and $svc (dig "enabled" true $svc) -}}
{{- $w := mergeOverwrite (deepCopy $defaults) (deepCopy $svc) -}}
{{- $_ := set $w "name" $name -}}
{{- $_ := set $w "protocol" "grpc" -}}
{{- $_ := set $w "command" (default (printf "crm-%s" $name) (dig "command" "" $svc)) -}}
{{- $_ := set $w "database" (dig "database" false $svc) -}}
{{- $_ := set $w "nats" (dig "nats" true $svc) -}}
{{- $_ := set $w "redis" (dig "redis" false $svc) -}}
{{- $_ := set $w "gatewayAccess" (dig "gatewayAccess" true $svc) -}}
{{- $_ := set $w "allowFrom" (dig "allowFrom" list $svc) -}}
{{- $_ := set $all $name $w -}}
{{- end -}}
{{- end -}}
{{- range $name, $w := $all -}}
{{- $callees := list -}}
{{- range $other, $o := $all -}}
{{- if and (eq $o.protocol "grpc") (ne $other $name) -}}
{{- if or (and (eq $name "gateway") $o.gatewayAccess) (has $name $o.allowFrom) -}}
{{- $callees = append $callees $other -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $_ := set $w "callees" $callees -}}
{{- end -}}
{{- toYaml $all -}}
{{- end -}}

{{/* Image of a workload: (dict "root" $ "image" $w.image) */}}
{{- define "crm.image" -}}
{{- $repo := .image.repository -}}
{{- $registry := .root.Values.image.registry -}}
{{- if and $registry (not (contains "/" $repo)) -}}
{{- $repo = printf "%s/%s" (trimSuffix "/" $registry) $repo -}}
{{- end -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repo .image.digest -}}
{{- else -}}
{{- $tag := default (default .root.Chart.AppVersion .root.Values.image.tag) .image.tag -}}
{{- printf "%s:%s" $repo (toString $tag) -}}
{{- end -}}
{{- end -}}

{{/* Connection URLs (non-secret defaults; secret keys redisUrl/natsUrl override) */}}
{{- define "crm.natsUrl" -}}
{{- if .Values.nats.enabled -}}
{{- printf "nats://%s:4222" (include "crm.componentName" (dict "root" . "name" "nats")) -}}
{{- else -}}
{{- .Values.nats.url -}}
{{- end -}}
{{- end -}}

{{- define "crm.redisUrl" -}}
{{- if .Values.redis.enabled -}}
{{- printf "redis://%s:6379/0" (include "crm.componentName" (dict "root" . "name" "redis")) -}}
{{- else -}}
{{- .Values.redis.url -}}
{{- end -}}
{{- end -}}

{{/* Non-secret environment of a workload: (dict "root" $ "w" $w "all" $workloads) */}}
{{- define "crm.configData" -}}
{{- $root := .root -}}
{{- $w := .w -}}
{{- $data := dict
  "CRM_ENV" $root.Values.config.env
  "CRM_LOG_LEVEL" $root.Values.config.logLevel
  "CRM_SHUTDOWN_GRACE_SECONDS" (toString $root.Values.config.shutdownGraceSeconds)
  "CRM_MIGRATE_ON_START" "false"
  "CRM_NATS_URL" (include "crm.natsUrl" $root)
  "CRM_REDIS_URL" (include "crm.redisUrl" $root)
-}}
{{- with $root.Values.config.otlpEndpoint -}}
{{- $_ := set $data "CRM_OTLP_ENDPOINT" . -}}
{{- end -}}
{{- if eq $w.protocol "http" -}}
{{- $_ := set $data "CRM_GATEWAY_HOST" "0.0.0.0" -}}
{{- $_ := set $data "CRM_GATEWAY_PORT" (toString (int $w.port)) -}}
{{- $_ := set $data "CRM_CORS_ORIGINS" (toJson (default list $w.corsOrigins)) -}}
{{- else -}}
{{- $_ := set $data "CRM_GRPC_HOST" "0.0.0.0" -}}
{{- $_ := set $data "CRM_GRPC_PORT" (toString (int $w.grpcPort)) -}}
{{- $_ := set $data "CRM_METRICS_PORT" (toString (int $w.metricsPort)) -}}
{{- end -}}
{{- range $callee := $w.callees -}}
{{- $peer := index $.all $callee -}}
{{- $addr := printf "%s:%d" (include "crm.componentName" (dict "root" $root "name" $callee)) (int $peer.grpcPort) -}}
{{- $_ := set $data (printf "CRM_%s_ADDR" (include "crm.envName" $callee)) $addr -}}
{{- end -}}
{{- range $k, $v := $root.Values.config.extraEnv -}}
{{- $_ := set $data $k (toString $v) -}}
{{- end -}}
{{- range $k, $v := $w.env -}}
{{- $_ := set $data $k (toString $v) -}}
{{- end -}}
{{- range $k, $v := $data }}
{{ $k }}: {{ $v | quote }}
{{- end -}}
{{- end -}}

{{/* Secret environment of a workload: (dict "root" $ "w" $w) */}}
{{- define "crm.secretEnv" -}}
{{- $secret := include "crm.secretName" .root -}}
- name: CRM_INTERNAL_SECRET
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: internalSecret}
{{- if eq .w.protocol "http" }}
- name: CRM_PLATFORM_TOKEN
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: platformToken}
{{- end }}
{{- range $env, $key := .w.secretEnv }}
- name: {{ $env }}
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: {{ $key }}}
{{- end }}
{{- if .w.database }}
{{- include "crm.databaseEnv" (dict "secret" $secret "name" .w.name) | trim | nindent 0 }}
{{- end }}
- name: CRM_REDIS_URL
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: redisUrl, optional: true}
- name: CRM_NATS_URL
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: natsUrl, optional: true}
{{- end -}}

{{/* Database URL variables: (dict "secret" name "name" service) */}}
{{- define "crm.databaseEnv" }}
- name: CRM_DATABASE_URL
  valueFrom:
    secretKeyRef: {name: {{ .secret }}, key: databaseUrl, optional: true}
- name: CRM_{{ include "crm.envName" .name }}_DATABASE_URL
  valueFrom:
    secretKeyRef: {name: {{ .secret }}, key: {{ .name }}DatabaseUrl, optional: true}
{{- end -}}

{{/* Hardened security contexts ---------------------------------------------------- */}}
{{- define "crm.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .runAsUser }}
runAsGroup: {{ .runAsGroup }}
fsGroup: {{ .fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "crm.containerSecurityContext" -}}
runAsNonRoot: true
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Whether the Prometheus Operator API is there (or forced). */}}
{{- define "crm.monitoringCRDs" -}}
{{- if or .Values.monitoring.forceCRDs (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1") -}}true{{- end -}}
{{- end -}}

{{/* A secret value: the given one, else the one already in the cluster, else random.
(dict "value" "..." "old" $existingData "key" "internalSecret") */}}
{{- define "crm.secretValue" -}}
{{- if .value -}}
{{- .value -}}
{{- else if hasKey .old .key -}}
{{- index .old .key | b64dec -}}
{{- else -}}
{{- randAlphaNum 32 -}}
{{- end -}}
{{- end -}}

{{/* NetworkPolicy egress rule to a store: (dict "root" $ "kind" "postgresql|nats|redis") */}}
{{- define "crm.storeEgress" -}}
{{- $root := .root -}}
{{- $cfg := index $root.Values.networkPolicy .kind -}}
{{- $bundled := index $root.Values .kind -}}
{{- if $bundled.enabled }}
- to:
    - podSelector:
        matchLabels:
          {{- include "crm.componentSelectorLabels" (dict "root" $root "component" .kind) | nindent 10 }}
  ports:
    - {protocol: TCP, port: {{ get (dict "postgresql" 5432 "nats" 4222 "redis" 6379) .kind }}}
{{- else }}
{{- include "crm.externalEgress" $cfg }}
{{- end }}
{{- end -}}

{{/* Egress to something outside the release: {port, cidrs, peers} */}}
{{- define "crm.externalEgress" }}
- ports:
    - {protocol: TCP, port: {{ .port }}}
  {{- if or .cidrs .peers }}
  to:
    {{- range .cidrs }}
    - ipBlock: {cidr: {{ . }}}
    {{- end }}
    {{- with .peers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
{{- end -}}

{{- define "crm.dnsEgress" -}}
{{- $dns := .Values.networkPolicy.dns }}
- to:
    - namespaceSelector:
        {{- toYaml $dns.namespaceSelector | nindent 8 }}
      podSelector:
        {{- toYaml $dns.podSelector | nindent 8 }}
    {{- range $dns.cidrs }}
    - ipBlock: {cidr: {{ . }}}
    {{- end }}
  ports:
    - {protocol: UDP, port: 53}
    - {protocol: TCP, port: 53}
{{- end -}}
