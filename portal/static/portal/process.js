// Draws each model file of a process instance with the bpmn-js viewer and marks its elements.
(function () {
  const data = JSON.parse(document.getElementById("diagram-data").textContent);
  data.forEach(async function (diagram, index) {
    const container = document.getElementById("diagram-" + index);
    const viewer = new BpmnJS({ container: container });
    try {
      await viewer.importXML(diagram.xml);
    } catch (error) {
      container.textContent = String(error);
      return;
    }
    const canvas = viewer.get("canvas");
    const registry = viewer.get("elementRegistry");
    Object.entries(diagram.marks).forEach(function ([element, mark]) {
      if (registry.get(element)) canvas.addMarker(element, mark);
    });
    canvas.zoom("fit-viewport");
    container.dataset.rendered = "true";
    container.dataset.marked = String(container.querySelectorAll(".done, .active, .waiting").length);
  });
})();
