{{/* The release's base name: the release name if it already says "mend", else <release>-mend. */}}
{{- define "mend.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else if contains "mend" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-mend" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The name of one component's objects: <fullname>-detector, -drainer, -autoscaler. */}}
{{- define "mend.componentName" -}}
{{- printf "%s-%s" (include "mend.fullname" .root) .component -}}
{{- end -}}

{{- define "mend.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mend
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component: {root, component}. */}}
{{- define "mend.selectorLabels" -}}
app.kubernetes.io/name: mend-{{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* All labels of one component's objects: {root, component}. */}}
{{- define "mend.componentLabels" -}}
{{ include "mend.labels" .root }}
{{ include "mend.selectorLabels" . }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "mend.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The ServiceAccount name of one component: {root, component, values}. */}}
{{- define "mend.serviceAccountName" -}}
{{- if .values.serviceAccount.create -}}
{{- .values.serviceAccount.name | default (include "mend.componentName" .) -}}
{{- else -}}
{{- .values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/* The hardened container securityContext of the two Deployments. */}}
{{- define "mend.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* The pod securityContext of the two Deployments: a fixed non-root user. */}}
{{- define "mend.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Preferred anti-affinity spreading a Deployment's replicas over nodes and zones, plus the user's affinity. */}}
{{- define "mend.affinity" -}}
{{- $sel := include "mend.selectorLabels" . | fromYaml -}}
{{- $aff := deepCopy (.values.affinity | default dict) -}}
{{- $terms := list
  (dict "weight" 100 "podAffinityTerm" (dict "topologyKey" "kubernetes.io/hostname" "labelSelector" (dict "matchLabels" $sel)))
  (dict "weight" 50 "podAffinityTerm" (dict "topologyKey" "topology.kubernetes.io/zone" "labelSelector" (dict "matchLabels" $sel))) -}}
{{- if not (hasKey $aff "podAntiAffinity") -}}
{{- $_ := set $aff "podAntiAffinity" (dict "preferredDuringSchedulingIgnoredDuringExecution" $terms) -}}
{{- end -}}
{{- toYaml $aff -}}
{{- end -}}
