// Every sentence a learner reads, in English and Traditional Chinese (Taiwan)
// side by side, so a translator sees both at once. Placeholders are {name};
// the narrator fills them from the step's message arguments plus a few it
// derives (component, kind, name, object, caller, node).
//
// Taiwan terms: 叢集 cluster, 節點 node, 排程器 scheduler, 控制器 controller,
// 命名空間 namespace, 容器 container, 部署 Deployment.

export type Lang = "en" | "zh-TW";
export type Text = { en: string; zh: string };

const t = (en: string, zh: string): Text => ({ en, zh });

/** Names of the parts of the diagram. */
export const parts: Record<string, Text> = {
  kubectl: t("You (kubectl)", "你（kubectl）"),
  apiserver: t("API server", "API 伺服器"),
  etcd: t("etcd", "etcd"),
  "controller-manager": t("controller manager", "控制器管理員"),
  scheduler: t("scheduler", "排程器"),
  kubelet: t("kubelet", "kubelet"),
  node: t("node", "節點"),
  controlPlane: t("Control plane", "控制平面"),
  nodes: t("Nodes", "節點"),
  objects: t("Objects in the cluster", "叢集裡的物件"),
  authn: t("authentication", "身分驗證"),
  authz: t("authorization", "授權"),
  admission: t("admission", "准入控制"),
  validation: t("validation", "驗證"),
};

/** Stage names. */
export const stages: Record<string, Text> = {
  request: t("request", "請求"), authenticate: t("authenticate", "身分驗證"), authorize: t("authorize", "授權"),
  admit: t("admit", "准入"), validate: t("validate", "驗證"), store: t("store", "儲存"), watch: t("watch", "監看"),
  reconcile: t("reconcile", "調和"), filter: t("filter", "篩選"), score: t("score", "評分"), bind: t("bind", "綁定"),
  pull: t("pull image", "拉取映像檔"), run: t("run", "執行"), status: t("report status", "回報狀態"),
  respond: t("respond", "回應"), error: t("error", "錯誤"),
};

/** Kinds, where Taiwan uses a word of its own. */
export const kinds: Record<string, Text> = {
  Deployment: t("Deployment", "部署（Deployment）"), Namespace: t("Namespace", "命名空間"), Node: t("Node", "節點"),
};

/** Messages by catalogue key: what happened. */
export const messages: Record<string, Text> = {
  "apiserver.request": t("{caller} sends a {verb} request for {resource} to the API server.",
    "{caller}向 API 伺服器送出 {verb} {resource} 的請求。"),
  "apiserver.authenticate.ok": t("The API server checks who is asking: it is {user}.",
    "API 伺服器確認請求者的身分：{user}。"),
  "apiserver.authenticate.denied": t("No authenticator recognised the caller, so the API server answers 401 Unauthorized.",
    "沒有任何驗證器認得這個請求者，API 伺服器回應 401 Unauthorized。"),
  "apiserver.impersonate.ok": t("{requestor} acts as {user}, and is allowed to.", "{requestor} 以 {user} 的身分行事，並獲得允許。"),
  "apiserver.impersonate.denied": t("{requestor} may not act as {user}.", "{requestor} 不得以 {user} 的身分行事。"),
  "apiserver.authorize.ok": t("RBAC allows {user} to {verb} {resource}.", "RBAC 允許 {user} 對 {resource} 執行 {verb}。"),
  "apiserver.authorize.denied": t("RBAC does not allow {user} to {verb} {resource}: 403 Forbidden.",
    "RBAC 不允許 {user} 對 {resource} 執行 {verb}：403 Forbidden。"),
  "apiserver.admit.ok": t("The admission plugin {plugin} lets the {kind} through.", "准入外掛 {plugin} 讓這個 {kind} 通過。"),
  "apiserver.admit.denied": t("The admission plugin {plugin} rejects the {kind}.", "准入外掛 {plugin} 拒絕了這個 {kind}。"),
  "apiserver.admit.error": t("The admission plugin {plugin} failed on the {kind}.", "准入外掛 {plugin} 處理 {kind} 時出錯。"),
  "apiserver.validate.ok": t("The {kind} {name} is valid.", "{kind} {name} 通過驗證。"),
  "apiserver.validate.invalid": t("The {kind} {name} is invalid: 422 Unprocessable Entity (field errors: {count}).",
    "{kind} {name} 不合規定：422 Unprocessable Entity（欄位錯誤：{count} 個）。"),
  "apiserver.wait": t("The API server holds the request before {stage}. Press Next to let it go on.",
    "API 伺服器在「{stage}」之前暫停了這個請求。按「下一步」讓它繼續。"),
  "apiserver.respond": t("The API server answers {code} {text}.", "API 伺服器回應 {code} {text}。"),
  "apiserver.error": t("The API server answers {code} {reason}: {error}", "API 伺服器回應 {code} {reason}：{error}"),
  "etcd.put": t("etcd stores {key} at revision {revision}.", "etcd 在修訂版 {revision} 寫入 {key}。"),
  "etcd.delete": t("etcd deletes {key} at revision {revision}.", "etcd 在修訂版 {revision} 刪除 {key}。"),
  "etcd.wait": t("The write to {key} is held. Press Next to let etcd store it.",
    "對 {key} 的寫入被暫停了。按「下一步」讓 etcd 儲存它。"),
  "controller.watch": t("The {informer} informer tells the {controller} that a {kind} was {event}.",
    "{informer} informer 通知 {controller}：有個 {kind} 被 {event}。"),
  "controller.reconcile": t("The {controller} compares what is wanted with what exists, and decides: {decision}.",
    "{controller} 比較期望的狀態與實際的狀態，決定：{decision}。"),
  "scheduler.watch": t("The scheduler sees pod {pod}, which has no node yet, and queues it.",
    "排程器看到 Pod {pod} 還沒有節點，把它排入佇列。"),
  "scheduler.wait": t("The scheduler holds {pod} before {stage}. Press Next to let it go on.",
    "排程器在「{stage}」之前暫停了 {pod}。按「下一步」讓它繼續。"),
  "scheduler.filter": t("The scheduler checks {nodes} nodes for pod {pod}: {feasible} of them can run it.",
    "排程器為 Pod {pod} 檢查 {nodes} 個節點：其中 {feasible} 個可以執行它。"),
  "scheduler.score": t("The scheduler scores the nodes that fit and picks {node}.",
    "排程器為合適的節點評分，選出 {node}。"),
  "scheduler.bind": t("The scheduler binds pod {pod} to {node}.", "排程器把 Pod {pod} 綁定到 {node}。"),
  "scheduler.bindFailed": t("The binding of {pod} to {node} was rejected: {error}", "把 {pod} 綁定到 {node} 被拒絕：{error}"),
  "scheduler.unschedulable": t("No node can run pod {pod}: {message}", "沒有節點能執行 Pod {pod}：{message}"),
  "scheduler.statusFailed": t("The scheduler could not record why {pod} is pending: {error}",
    "排程器無法記錄 {pod} 等待中的原因：{error}"),
  "kubelet.node.registered": t("The kubelet registers its node {node} with the API server.",
    "kubelet 向 API 伺服器註冊它的節點 {node}。"),
  "kubelet.node.registerFailed": t("The kubelet could not register node {node}: {error}", "kubelet 無法註冊節點 {node}：{error}"),
  "kubelet.node.status": t("The kubelet on {node} reports that its node is Ready.", "{node} 上的 kubelet 回報節點已就緒（Ready）。"),
  "kubelet.pod.watch": t("The kubelet on {node} learns that pod {pod} is now its to run.",
    "{node} 上的 kubelet 得知 Pod {pod} 交給它執行。"),
  "kubelet.pod.pulling": t("The kubelet pulls the image {image} for container {container}.",
    "kubelet 為容器 {container} 拉取映像檔 {image}。"),
  "kubelet.pod.pulled": t("The image {image} is pulled ({duration}).", "映像檔 {image} 拉取完成（{duration}）。"),
  "kubelet.pod.pullFailed": t("The image {image} could not be pulled: {error}", "無法拉取映像檔 {image}：{error}"),
  "kubelet.pod.started": t("The kubelet starts container {container} from {image}.", "kubelet 用 {image} 啟動容器 {container}。"),
  "kubelet.pod.exited": t("Container {container} exits with code {exitCode}.", "容器 {container} 結束，結束碼 {exitCode}。"),
  "kubelet.pod.killed": t("The kubelet stops pod {pod}.", "kubelet 停止 Pod {pod}。"),
  "kubelet.pod.status": t("The kubelet reports pod {pod} as {phase}.", "kubelet 回報 Pod {pod} 的狀態為 {phase}。"),
};

/** fallbacks say what happened for a key the catalogue lacks, by stage. */
export const fallbacks: Record<string, Text> = {
  request: t("{component} receives a request about {object}.", "{component}收到關於 {object} 的請求。"),
  authenticate: t("{component} checks who sent the request about {object}.", "{component}確認關於 {object} 的請求是誰送的。"),
  authorize: t("{component} decides whether the caller may act on {object}.", "{component}判斷請求者能否操作 {object}。"),
  admit: t("{component} runs an admission plugin on {object}.", "{component}對 {object} 執行准入外掛。"),
  validate: t("{component} validates {object}.", "{component}驗證 {object}。"),
  store: t("{component} stores {object}.", "{component}儲存 {object}。"),
  watch: t("{component} is told of a change to {object}.", "{component}得知 {object} 有變動。"),
  reconcile: t("{component} reconciles {object}.", "{component}調和 {object}。"),
  filter: t("{component} filters nodes for {object}.", "{component}為 {object} 篩選節點。"),
  score: t("{component} scores nodes for {object}.", "{component}為 {object} 的節點評分。"),
  bind: t("{component} binds {object} to a node.", "{component}把 {object} 綁定到節點。"),
  pull: t("{component} pulls an image for {object}.", "{component}為 {object} 拉取映像檔。"),
  run: t("{component} runs {object}.", "{component}執行 {object}。"),
  status: t("{component} reports the status of {object}.", "{component}回報 {object} 的狀態。"),
  respond: t("{component} answers the request about {object}.", "{component}回應關於 {object} 的請求。"),
  error: t("{component} hit an error with {object}.", "{component}處理 {object} 時發生錯誤。"),
  "": t("{component} did something ({stage}) with {object}.", "{component}對 {object} 做了「{stage}」。"),
};

/** Why each stage exists: the sentence after what happened. */
export const why: Record<string, Text> = {
  request: t("Every component, kubectl included, changes the cluster only by asking the API server.",
    "所有元件（包括 kubectl）都只能透過 API 伺服器來改變叢集。"),
  authenticate: t("Before anything else the API server must know who is asking: a client certificate or a token says so.",
    "API 伺服器首先要知道是誰在請求：用用戶端憑證或權杖來證明。"),
  authorize: t("Knowing who asks is not enough: RBAC roles and bindings say what each user may do.",
    "知道是誰還不夠：RBAC 的角色與綁定規定每個使用者能做什麼。"),
  admit: t("Admission plugins may change or refuse an object before it is stored, e.g. fill in defaults.",
    "准入外掛可以在物件儲存前修改或拒絕它，例如補上預設值。"),
  validate: t("The API server refuses objects that break the schema, so nothing invalid reaches etcd.",
    "API 伺服器拒絕不符合規格的物件，不合規定的東西不會進到 etcd。"),
  store: t("etcd holds the whole state of the cluster; only the API server writes to it, and every write gets a new revision.",
    "etcd 保存整個叢集的狀態；只有 API 伺服器會寫入它，每次寫入都會得到新的修訂版號。"),
  watch: t("Components do not poll: they watch the API server, which tells them of every change they care about.",
    "元件不會一直輪詢：它們監看 API 伺服器，由它通知每個相關的變動。"),
  reconcile: t("A controller's whole job is to make what exists match what was asked for.",
    "控制器的工作就是讓實際狀態符合期望狀態。"),
  filter: t("First the scheduler rules out nodes that cannot run the pod (too little CPU, taints, cordoned).",
    "排程器先排除無法執行這個 Pod 的節點（CPU 不夠、有污點、被隔離）。"),
  score: t("Among the nodes that fit, scoring plugins rank them; the highest total wins.",
    "在合適的節點之間，評分外掛替它們排名，總分最高者勝出。"),
  bind: t("Scheduling only writes a decision: the pod's node is set through the API server, by a Binding.",
    "排程只是寫下決定：透過 API 伺服器的 Binding 設定 Pod 的節點。"),
  pull: t("A node needs the container image before it can start the container.", "節點要先有容器映像檔，才能啟動容器。"),
  run: t("The kubelet is the node's agent: it runs the containers of the pods bound to its node.",
    "kubelet 是節點的代理程式：它執行綁定到該節點的 Pod 裡的容器。"),
  status: t("The API server is the one place that knows everything, so the kubelet reports what really happened.",
    "API 伺服器是掌握全部資訊的地方，所以 kubelet 要回報實際發生的事。"),
  respond: t("The caller gets the object as stored, or a Status saying what went wrong.",
    "請求者會拿到儲存後的物件，或是說明錯誤的 Status。"),
  error: t("Errors in Kubernetes are Status objects with a reason and a code.", "Kubernetes 的錯誤是帶有原因與代碼的 Status 物件。"),
};

/** What usually comes next after each stage. */
export const next: Record<string, Text> = {
  request: t("Next: authentication.", "接下來：身分驗證。"),
  authenticate: t("Next: authorization.", "接下來：授權。"),
  authorize: t("Next: for a write, admission and validation; for a read, the answer.", "接下來：寫入會經過准入與驗證；讀取則直接回應。"),
  admit: t("Next: the next admission plugin, then validation.", "接下來：下一個准入外掛，然後是驗證。"),
  validate: t("Next: the API server stores the object in etcd.", "接下來：API 伺服器把物件存進 etcd。"),
  store: t("Next: the API server answers, and every watcher of this kind is told.", "接下來：API 伺服器回應，並通知所有監看這類物件的元件。"),
  watch: t("Next: the component reconciles, schedules or runs what changed.", "接下來：元件針對變動進行調和、排程或執行。"),
  reconcile: t("Next: the controller asks the API server to create, change or delete objects.", "接下來：控制器請 API 伺服器建立、修改或刪除物件。"),
  filter: t("Next: scoring the nodes that fit.", "接下來：為合適的節點評分。"),
  score: t("Next: binding the pod to the chosen node.", "接下來：把 Pod 綁定到選中的節點。"),
  bind: t("Next: the kubelet of that node sees the pod and starts it.", "接下來：該節點的 kubelet 看到這個 Pod 並啟動它。"),
  pull: t("Next: starting the container.", "接下來：啟動容器。"),
  run: t("Next: the kubelet reports the pod's status.", "接下來：kubelet 回報 Pod 的狀態。"),
  status: t("Next: `kubectl get pods` shows what the kubelet reported.", "接下來：`kubectl get pods` 會顯示 kubelet 回報的狀態。"),
  respond: t("", ""),
  error: t("", ""),
};

/** The user interface's own words. */
export const ui: Record<string, Text> = {
  title: t("Glassplane — a Kubernetes control plane made of glass", "Glassplane — 玻璃做的 Kubernetes 控制平面"),
  tagline: t("Every step your cluster takes, drawn and explained.", "叢集的每一步，畫給你看、講給你聽。"),
  welcome: t("Apply a manifest in the Playground (or run kubectl in the Terminal) and watch each component of the control plane take its turn: the API server checks, etcd stores, the controllers create, the scheduler places, the kubelet runs.",
    "在「練習場」套用一份 manifest（或在「終端機」執行 kubectl），看控制平面的每個元件依序工作：API 伺服器檢查、etcd 儲存、控制器建立、排程器安置、kubelet 執行。"),
  play: t("Play", "播放"), pause: t("Pause", "暫停"), back: t("Step back", "上一步"), forward: t("Step forward", "下一步"),
  speed: t("Speed", "速度"), step: t("Step", "步驟"), of: t("of", "／"), live: t("Live", "即時"),
  allTraces: t("All actions", "所有動作"), trace: t("Action", "動作"),
  pacer: t("Cluster pace", "叢集節奏"), modeLive: t("live", "即時"), modeSlow: t("slow", "慢速"), modeStep: t("step by step", "逐步"),
  next: t("Next", "下一步"), nextHint: t("Release the step the cluster is holding", "放行叢集正在等待的步驟"),
  waiting: t("held", "等待中"), breakpoint: t("Break before", "在此之前中斷"), addBreakpoint: t("Add breakpoint", "新增中斷點"),
  story: t("Story", "說明"), playground: t("Playground", "練習場"), terminal: t("Terminal", "終端機"), etcdTab: t("etcd", "etcd"),
  lessons: t("Lessons", "課程"), lessonsSoon: t("Lessons will appear here.", "課程會出現在這裡。"),
  readCode: t("Read the code", "閱讀程式碼"), copy: t("copy", "複製"), gotIt: t("Got it", "知道了"), noStep: t("No step yet.", "還沒有任何步驟。"),
  apply: t("Apply", "套用"), examples: t("Examples", "範例"), applied: t("Applied", "已套用"),
  run: t("Run", "執行"), terminalHint: t("Type a kubectl command, e.g. get pods -o wide", "輸入 kubectl 指令，例如 get pods -o wide"),
  connected: t("connected", "已連線"), connecting: t("connecting…", "連線中…"), offline: t("offline — reconnecting", "離線 — 重新連線中"),
  replaying: t("replaying a file", "重播檔案中"), backToLive: t("Back to live", "回到即時"),
  export: t("Export action", "匯出動作"), import: t("Load steps", "載入步驟"),
  theme: t("Theme", "主題"), dark: t("Dark", "深色"), light: t("Light", "淺色"), present: t("Present", "簡報模式"),
  language: t("中文", "English"), help: t("Keyboard help", "鍵盤說明"), close: t("Close", "關閉"),
  helpText: t("Space: play / pause · ← →: step back / forward · Home / End: first / last step · p: presentation mode · t: theme · l: language · ?: this help · Esc: close",
    "空白鍵：播放／暫停 · ← →：上一步／下一步 · Home／End：第一步／最後一步 · p：簡報模式 · t：主題 · l：語言 · ?：說明 · Esc：關閉"),
  inspector: t("Inspector", "檢視器"), object: t("Object", "物件"), diff: t("Changes since the previous version", "與前一版的差異"),
  firstVersion: t("First version of this object.", "這是物件的第一版。"), events: t("Events", "事件"),
  detail: t("Detail of this step", "此步驟的細節"), revision: t("revision", "修訂版"), value: t("value", "值"),
  decision: t("decision", "決定"), patch: t("Admission patch", "准入修補"), node: t("Node", "節點"), total: t("total", "總分"),
  stopKubelet: t("Stop this node's kubelet", "停止此節點的 kubelet"), startKubelet: t("Start this node's kubelet", "啟動此節點的 kubelet"),
  cordon: t("Cordon", "隔離（cordon）"), uncordon: t("Uncordon", "解除隔離"),
  pauseComponent: t("Pause", "暫停"), resumeComponent: t("Resume", "繼續"), stopped: t("stopped", "已停止"), paused: t("paused", "已暫停"),
  clickHint: t("Click a part to inspect it; click an object to see its YAML.", "點選元件可檢視它；點選物件可看它的 YAML。"),
  noKeys: t("No keys written yet.", "還沒有寫入任何 key。"), keysAt: t("etcd at revision {revision}", "etcd 修訂版 {revision}"),
  loaded: t("Loaded {n} steps from {file}.", "已從 {file} 載入 {n} 個步驟。"), badFile: t("That file holds no steps.", "這個檔案裡沒有步驟。"),
  line: t("line", "第幾行"), error: t("Error", "錯誤"),
};
