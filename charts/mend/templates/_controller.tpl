{{/*
The objects mend-drainer and mend-autoscaler share: ServiceAccount, ConfigMap (the program's YAML
file from .values.config), Deployment (leader-elected replicas, hardened, spread over nodes and
zones), PodDisruptionBudget and the metrics Service. Argument: {root, component, values, env}.
*/}}
{{- define "mend.controller" -}}
{{- $root := .root -}}
{{- $v := .values -}}
{{- $name := include "mend.componentName" . -}}
{{- if $v.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "mend.serviceAccountName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "mend.componentLabels" . | nindent 4 }}
  {{- $annotations := deepCopy ($v.serviceAccount.annotations | default dict) }}
  {{- with .roleArn }}
  {{- $_ := set $annotations "eks.amazonaws.com/role-arn" . }}
  {{- end }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
---
{{- end }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $name }}-config
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "mend.componentLabels" . | nindent 4 }}
data:
  {{ .component }}.yaml: |
    {{- toYaml $v.config | nindent 4 }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "mend.componentLabels" . | nindent 4 }}
spec:
  replicas: {{ $v.replicas }}
  selector:
    matchLabels:
      {{- include "mend.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "mend.componentLabels" . | nindent 8 }}
      {{- with $v.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "mend.serviceAccountName" . }}
      terminationGracePeriodSeconds: 30
      {{- with $v.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- include "mend.podSecurityContext" . | nindent 8 }}
      affinity:
        {{- include "mend.affinity" . | nindent 8 }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: mend-{{ .component }}
          image: {{ include "mend.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          command: ["/usr/local/bin/mend-{{ .component }}"]
          args:
            - run
            - --config=/etc/mend/{{ .component }}.yaml
            - --config-configmap={{ $name }}-config
            {{- if eq .component "drainer" }}
            - --lease-name={{ $name }}
            - --state-configmap={{ $name }}-state
            {{- else }}
            # The autoscaler's Lease and status ConfigMap, in the release namespace (its Role's).
            - --set=leaderElection.leaseName={{ $name }}
            - --lease-namespace={{ $root.Release.Namespace }}
            - --set=status.namespace={{ $root.Release.Namespace }}
            {{- end }}
            - --health-address=:8080
            - --log-format={{ $root.Values.logFormat }}
            - --log-level={{ $root.Values.logLevel }}
            {{- if $v.dryRun }}
            - --dry-run
            {{- end }}
            {{- range $v.extraArgs }}
            - {{ . | quote }}
            {{- end }}
          env:
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            {{- range $key, $value := .env }}
            {{- if $value }}
            - name: {{ $key }}
              value: {{ $value | quote }}
            {{- end }}
            {{- end }}
          ports:
            - name: http
              containerPort: 8080
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 20
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            periodSeconds: 10
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- include "mend.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            - name: config
              mountPath: /etc/mend
              readOnly: true
      volumes:
        - name: config
          configMap:
            name: {{ $name }}-config
{{- if $v.podDisruptionBudget.enabled }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "mend.componentLabels" . | nindent 4 }}
spec:
  maxUnavailable: {{ $v.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "mend.selectorLabels" . | nindent 6 }}
{{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "mend.componentLabels" . | nindent 4 }}
spec:
  selector:
    {{- include "mend.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: 8080
      targetPort: http
{{- end -}}
