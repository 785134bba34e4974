// The query UI: vendored YASGUI pointed at this server, with the named queries as ready tabs.
// Nothing here calls another host: no endpoint catalogue, no remote autocompletion (prefix.cc, LOV).
(function () {
  "use strict";
  var endpoint = JSON.parse(document.getElementById("endpoint").textContent);
  var queries = JSON.parse(document.getElementById("named-queries").textContent);
  Yasgui.Yasqe.defaults.autocompleters = [];
  Yasgui.defaults.requestConfig.endpoint = endpoint;
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    populateFromUrl: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
    yasqe: { autocompleters: [] },
  });
  var tabs = {};
  queries.forEach(function (q) {
    var tab = yasgui.addTab(false, {
      name: q.title,
      yasqe: { value: q.query },
      requestConfig: { endpoint: endpoint, method: "POST" },
    });
    tabs[q.name] = tab.getId ? tab.getId() : null;
  });
  window.ssekg = { yasgui: yasgui, tabs: tabs, queries: queries };
})();
